using Edge.Runtime.Inference.TensorRt;

namespace Edge.Runtime.Tests.TensorRt;

public sealed class TensorRtGpuStackTests
{
    [Fact]
    public void Detect_JetsonTree_ReadsVersionsFromLibraryNamesAndRelease()
    {
        using var root = FakeRoot.Empty();
        root.Write("usr/lib/aarch64-linux-gnu/libnvinfer.so", "");
        root.Write("usr/lib/aarch64-linux-gnu/libnvinfer.so.10", "");
        root.Write("usr/lib/aarch64-linux-gnu/libnvinfer.so.10.3.0", "");
        root.Write("usr/lib/aarch64-linux-gnu/libnvinfer_plugin.so.10.3.0", "");
        root.Write("usr/local/cuda/targets/aarch64-linux/lib/libcudart.so.12", "");
        root.Write("usr/local/cuda/targets/aarch64-linux/lib/libcudart.so.12.6", "");
        root.Write("etc/nv_tegra_release", "# R36 (release), REVISION: 4.3, GCID: 38968081, BOARD: generic, EABI: aarch64\n");
        root.Write("proc/device-tree/model", "NVIDIA Jetson Orin Nano Developer Kit\0");

        var stack = GpuStack.Detect(root.Path, onnxRuntimeVersion: "1.31.1");

        Assert.Equal(new GpuStack("1.31.1", "10.3.0", "12.6", "R36.4.3", "NVIDIA Jetson Orin Nano Developer Kit"), stack);
    }

    [Fact]
    public void Detect_TwoVersionsInstalled_TakesTheNewest()
    {
        using var root = FakeRoot.Empty();
        root.Write("usr/lib/aarch64-linux-gnu/libnvinfer.so.8.6.2", "");
        root.Write("usr/lib/aarch64-linux-gnu/libnvinfer.so.10.3.0", "");
        root.Write("usr/local/cuda/lib64/libcudart.so.11.4.298", "");
        root.Write("usr/local/cuda/lib64/libcudart.so.12.6.68", "");

        var stack = GpuStack.Detect(root.Path, onnxRuntimeVersion: "1.31.1");

        Assert.Equal("10.3.0", stack.TensorRt);
        Assert.Equal("12.6.68", stack.Cuda);
    }

    [Fact]
    public void Detect_BareMachine_LeavesEverythingButOnnxRuntimeUnknown()
    {
        using var root = FakeRoot.Empty();

        var stack = GpuStack.Detect(root.Path, onnxRuntimeVersion: "1.31.1");

        Assert.Equal(new GpuStack("1.31.1", null, null, null, null), stack);
        Assert.Contains(new KeyValuePair<string, string>("gpu", "unknown"), EngineCacheKey.For(stack, new ModelIdentity(new string('0', 64), "int8"), profile: null, int8: true, fp16: true).Components);
    }

    [Fact]
    public void Detect_WithoutGivenVersion_AsksOnnxRuntime()
    {
        using var root = FakeRoot.Empty();

        Assert.Equal(Microsoft.ML.OnnxRuntime.OrtEnv.Instance().GetVersionString(), GpuStack.Detect(root.Path).OnnxRuntime);
    }

    [Fact]
    public void TotalBytes_ReadsMemTotal()
    {
        using var root = FakeRoot.Empty();
        root.Write("proc/meminfo", "MemTotal:        7802816 kB\nMemFree:          123456 kB\n");

        Assert.Equal(7802816L * 1024, MachineMemory.TotalBytes(root.Path));
    }

    [Fact]
    public void TotalBytes_Unreadable_FallsBackToTheRuntimesView()
    {
        using var root = FakeRoot.Empty();

        Assert.Equal(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes, MachineMemory.TotalBytes(root.Path));
    }
}
