using System.Reflection;
using System.Runtime.Loader;
using Edge.Camera.Sources;

namespace Edge.Camera.Tests;

/// <summary>
/// The synthetic source must work where OpenCV's native library cannot load (linux-arm64 without a custom build,
/// machines without GTK). Other tests in this process use OpenCvSharp, so the loaded-assemblies list of the test process
/// proves nothing. Instead Edge.Camera is loaded afresh into its own collectible <see cref="AssemblyLoadContext"/>:
/// every assembly that copy needs is requested through <see cref="RecordingContext.Load"/> first, whatever other tests
/// do and in whatever order they run, so the recorded names are exactly what the exercised path pulled in.
/// </summary>
public sealed class OpenCvIsolationTests
{
    [Fact]
    public void Create_SyntheticSourceCreatedAndRead_NeverRequestsOpenCvSharp()
    {
        var requested = RunIsolated("synthetic?seed=3&size=32&fps=0&frames=3", reads: 4, out var results);

        Assert.Equal(["Frame", "Frame", "Frame", "EndOfStream"], results);
        Assert.DoesNotContain(requested, name => name.StartsWith("OpenCvSharp", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void Create_ImagesSource_RequestsOpenCvSharp()
    {
        // The control: the recording context does see OpenCvSharp when a path really uses it.
        using var folder = new TemporaryFolder();

        var requested = RunIsolated($"images:{folder.Path}", reads: 0, out _);

        Assert.Contains("OpenCvSharp", requested);
    }

    private static List<string> RunIsolated(string sourceText, int reads, out List<string> results)
    {
        var context = new RecordingContext();
        results = [];
        try
        {
            var camera = context.LoadFromAssemblyPath(typeof(FrameSources).Assembly.Location);
            var factory = camera.GetType(typeof(FrameSources).FullName!, throwOnError: true)!;
            var source = (IDisposable)factory.GetMethod(nameof(FrameSources.Create))!.Invoke(null, [sourceText, null])!;
            using (source)
            {
                var frameType = camera.GetType("Edge.Camera.Frames.Frame", throwOnError: true)!;
                var frame = Activator.CreateInstance(frameType, 1, 1);
                var sourceInterface = camera.GetType("Edge.Camera.Sources.IFrameSource", throwOnError: true)!;
                if (reads > 0)
                {
                    sourceInterface.GetMethod("Open")!.Invoke(source, null);
                }

                var read = sourceInterface.GetMethod("Read")!;
                for (var i = 0; i < reads; i++)
                {
                    results.Add(read.Invoke(source, [frame])!.ToString()!);
                }
            }

            return context.Requested;
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            return context.Requested;
        }
        finally
        {
            context.Unload();
        }
    }

    private sealed class RecordingContext() : AssemblyLoadContext("edge-camera-isolation", isCollectible: true)
    {
        private readonly Lock gate = new();
        private readonly List<string> requested = [];

        public List<string> Requested
        {
            get
            {
                lock (gate)
                {
                    return [.. requested];
                }
            }
        }

        protected override Assembly? Load(AssemblyName assemblyName)
        {
            lock (gate)
            {
                requested.Add(assemblyName.Name ?? string.Empty);
            }

            // Everything but Edge.Camera itself comes from the default context: only the request matters here.
            return null;
        }
    }
}
