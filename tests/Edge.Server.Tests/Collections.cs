namespace Edge.Server.Tests;

/// <summary>
/// Runs alone, after the parallel tests: a background GC during a measured window (set off by another thread's
/// allocations, here Kestrel's) retires the measuring thread's allocation context, and
/// GC.GetAllocatedBytesForCurrentThread then jumps by its unused remainder although nothing was allocated.
/// </summary>
[CollectionDefinition(nameof(AllocationCollection), DisableParallelization = true)]
public sealed class AllocationCollection;
