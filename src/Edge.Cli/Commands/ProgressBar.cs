using System.Diagnostics;

namespace Edge.Cli.Commands;

/// <summary>A progress bar on stderr (redrawn at most 10 times a second; a plain line when stderr is redirected).</summary>
internal sealed class ProgressBar(string label, int total) : IProgress<int>, IDisposable
{
    private readonly Stopwatch clock = Stopwatch.StartNew();
    private readonly Lock gate = new();
    private long lastDrawMs = -1000;
    private bool finished;

    public void Report(int value)
    {
        lock (gate)
        {
            var now = clock.ElapsedMilliseconds;
            if (now - lastDrawMs < (Console.IsErrorRedirected ? 5000 : 100) && value < total)
            {
                return;
            }

            lastDrawMs = now;
            var fraction = total == 0 ? 1 : (double)value / total;
            var filled = (int)(fraction * 30);
            var line = $"{label} [{new string('#', filled)}{new string('.', 30 - filled)}] {value}/{total} {clock.Elapsed.TotalSeconds:F0}s";
            Console.Error.Write(Console.IsErrorRedirected ? line + "\n" : "\r" + line);
        }
    }

    public void Finish()
    {
        lock (gate)
        {
            if (!finished && !Console.IsErrorRedirected)
            {
                Console.Error.WriteLine();
            }

            finished = true;
        }
    }

    public void Dispose() => Finish();
}
