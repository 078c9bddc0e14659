namespace Edge.Tools.Tests;

/// <summary>
/// Runs alone, after the parallel tests. A background GC running during a measured window (triggered by another
/// thread's allocations, or by the 2.5 MB of latency buffers a new pipeline puts on the large-object heap) retires
/// the measuring thread's allocation context and GC.GetAllocatedBytesForCurrentThread then jumps by its unused
/// remainder (a few KB) although nothing was allocated. So these tests also finish all GC work before measuring.
/// </summary>
[CollectionDefinition(nameof(AllocationCollection), DisableParallelization = true)]
public sealed class AllocationCollection;
