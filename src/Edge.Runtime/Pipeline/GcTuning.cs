using System.Runtime;

namespace Edge.Runtime.Pipeline;

/// <summary>
/// Garbage collection for a latency-bound frame loop (docs/performance.md). The app runs workstation GC without
/// background collection (Edge.Runtime.csproj): no GC thread competes with inference for the few cores of an
/// embedded board, and the frame path allocates nothing, so collections come only from start-up and rare side work.
/// </summary>
public static class GcTuning
{
    /// <summary>
    /// Collects start-up garbage (model loading, JSON, parsers) once, compacting the large-object heap, before the
    /// first frame, so that no collection it would have triggered later lands inside a frame.
    /// </summary>
    public static void SettleBeforeSteadyState()
    {
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
    }
}
