using System.Globalization;
using Edge.Runtime.Platform;

namespace Edge.Runtime.Inference.TensorRt;

/// <summary>The machine's total RAM, which a Jetson's CPU and GPU share.</summary>
internal static class MachineMemory
{
    /// <summary>MemTotal from <c>/proc/meminfo</c> under <paramref name="root"/>; the GC's view when that is unreadable.</summary>
    public static long TotalBytes(string root = "/")
    {
        foreach (var line in SysFs.ReadLines(SysFs.Under(root, "proc/meminfo")))
        {
            var fields = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (fields is ["MemTotal:", var kilobytes, "kB"]
                && long.TryParse(kilobytes, NumberStyles.None, CultureInfo.InvariantCulture, out var total))
            {
                return total * 1024;
            }
        }

        return GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
    }
}
