using System.Reflection;
using System.Runtime.InteropServices;

namespace Edge.Cli.Hosting;

/// <summary>
/// Lets device-specific native builds override the ones NuGet ships: NuGet has no ONNX Runtime with CUDA/TensorRT for
/// Jetson and no OpenCvSharpExtern against JetPack's GStreamer-enabled OpenCV, so those are built on the device
/// (deploy/jetson/) and dropped into <c>&lt;app&gt;/native/</c>. When a library is there it is loaded from there;
/// otherwise the normal lookup applies.
/// </summary>
internal static class DeviceNativeLibraries
{
    public const string FolderName = "native";

    /// <summary>Managed assembly -> the native library names its P/Invokes use.</summary>
    private static readonly IReadOnlyDictionary<string, string[]> Libraries = new Dictionary<string, string[]>(StringComparer.Ordinal)
    {
        ["Microsoft.ML.OnnxRuntime"] = ["onnxruntime"],
        ["OpenCvSharp"] = ["OpenCvSharpExtern"],
    };

    public static void Register(string appDirectory)
    {
        var folder = Path.Combine(appDirectory, FolderName);
        if (!Directory.Exists(folder))
        {
            return;
        }

        foreach (var assembly in AppDomain.CurrentDomain.GetAssemblies())
        {
            TryRegister(assembly, folder);
        }

        AppDomain.CurrentDomain.AssemblyLoad += (_, e) => TryRegister(e.LoadedAssembly, folder);
    }

    /// <summary>The file in <paramref name="folder"/> for a P/Invoke library name, or null (Linux naming: lib&lt;name&gt;.so).</summary>
    public static string? Find(string folder, string libraryName)
    {
        var path = Path.Combine(folder, $"lib{libraryName}.so");
        return File.Exists(path) ? path : null;
    }

    private static void TryRegister(Assembly assembly, string folder)
    {
        if (assembly.GetName().Name is not { } name || !Libraries.TryGetValue(name, out var names))
        {
            return;
        }

        try
        {
            NativeLibrary.SetDllImportResolver(assembly, (library, _, _) =>
                names.Contains(library) && Find(folder, library) is { } path ? NativeLibrary.Load(path) : IntPtr.Zero);
        }
        catch (InvalidOperationException)
        {
            // A resolver is already set for this assembly (registered twice): the first one stands.
        }
    }
}
