using Edge.Cli.Hosting;

namespace Edge.Cli.Tests.Hosting;

public sealed class DeviceNativeLibrariesTests
{
    [Fact]
    public void Find_ReturnsTheDeviceBuild_OnlyWhenItIsInTheNativeFolder()
    {
        var folder = Directory.CreateTempSubdirectory("edge-native-");
        try
        {
            File.WriteAllBytes(Path.Combine(folder.FullName, "libonnxruntime.so"), [0x7f, 0x45, 0x4c, 0x46]);

            Assert.Equal(Path.Combine(folder.FullName, "libonnxruntime.so"), DeviceNativeLibraries.Find(folder.FullName, "onnxruntime"));
            Assert.Null(DeviceNativeLibraries.Find(folder.FullName, "OpenCvSharpExtern"));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}
