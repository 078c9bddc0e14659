using System.Globalization;
using System.Text.RegularExpressions;
using Edge.Runtime.Platform;

namespace Edge.Runtime.Inference.TensorRt;

/// <summary>
/// The software and hardware a TensorRT engine is built for: an engine from another TensorRT, CUDA, JetPack or GPU
/// must not be loaded. Null means the part could not be detected.
/// </summary>
internal sealed partial record GpuStack(string OnnxRuntime, string? TensorRt, string? Cuda, string? L4t, string? Gpu)
{
    /// <summary>Where JetPack and the CUDA/TensorRT Debian packages put their libraries.</summary>
    private static readonly string[] LibraryFolders =
    [
        "usr/lib/aarch64-linux-gnu",
        "usr/lib/x86_64-linux-gnu",
        "usr/local/cuda/lib64",
        "usr/local/cuda/targets/aarch64-linux/lib",
        "usr/local/cuda/targets/x86_64-linux/lib",
        "usr/lib",
        "usr/local/lib",
    ];

    /// <summary>Detects the stack under <paramref name="root"/>; never throws.</summary>
    public static GpuStack Detect(string root = "/", string? onnxRuntimeVersion = null)
    {
        var jetson = JetsonInfo.Probe(root);
        return new GpuStack(
            onnxRuntimeVersion ?? OnnxRuntimeVersion(),
            NewestLibraryVersion(root, "libnvinfer.so."),
            NewestLibraryVersion(root, "libcudart.so."),
            jetson?.L4t,
            jetson?.Model);
    }

    /// <summary>
    /// The most precise, newest version among files named <c>prefix + X.Y.Z</c>: the soname link
    /// <c>libnvinfer.so.10</c> says less than the file <c>libnvinfer.so.10.3.0</c> it points to.
    /// </summary>
    private static string? NewestLibraryVersion(string root, string prefix)
    {
        int[]? best = null;
        foreach (var folder in LibraryFolders)
        {
            foreach (var name in FileNames(SysFs.Under(root, folder), prefix))
            {
                var match = VersionSuffix().Match(name[prefix.Length..]);
                if (!match.Success)
                {
                    continue;
                }

                var parts = match.Value.Split('.').Select(p => int.Parse(p, NumberStyles.None, CultureInfo.InvariantCulture)).ToArray();
                if (best is null || Compare(parts, best) > 0)
                {
                    best = parts;
                }
            }
        }

        return best is null ? null : string.Join('.', best);
    }

    private static int Compare(int[] left, int[] right)
    {
        for (var i = 0; i < Math.Min(left.Length, right.Length); i++)
        {
            if (left[i] != right[i])
            {
                return left[i].CompareTo(right[i]);
            }
        }

        return left.Length.CompareTo(right.Length);
    }

    private static IEnumerable<string> FileNames(string folder, string prefix)
    {
        try
        {
            return Directory.Exists(folder)
                ? Directory.EnumerateFiles(folder, prefix + "*")
                    .Select(path => Path.GetFileName(path))
                    // .NET's pattern "libnvinfer.so.*" also matches the unversioned "libnvinfer.so".
                    .Where(name => name.Length > prefix.Length && name.StartsWith(prefix, StringComparison.Ordinal))
                    .ToList()
                : [];
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    private static string OnnxRuntimeVersion()
    {
        try
        {
            return Microsoft.ML.OnnxRuntime.OrtEnv.Instance().GetVersionString();
        }
        catch (Exception exception) when (exception is DllNotFoundException or TypeInitializationException or EntryPointNotFoundException)
        {
            return "unavailable";
        }
    }

    [GeneratedRegex(@"^\d{1,6}(\.\d{1,6}){0,3}$")]
    private static partial Regex VersionSuffix();
}
