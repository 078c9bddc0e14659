namespace Edge.Cli.Tests.Commands;

[Trait("Category", "App")]
public sealed class JetsonInfoTests
{
    [Fact]
    public void Info_Table_SaysJetsonCameraPresetsCannotOpenWithoutGStreamer()
    {
        // The official linux-x64 OpenCvSharp runtime this test machine loads has no GStreamer.
        var result = EdgeProcess.Run(TimeSpan.FromSeconds(60), "info");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains(
            "jetson cameras    csi: and usb-gst: cannot be opened (the loaded OpenCV has no GStreamer)",
            result.StandardOutput.Split('\n').Select(line => line.TrimEnd('\r')));
    }
}
