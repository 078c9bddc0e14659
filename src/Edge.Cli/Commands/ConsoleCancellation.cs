namespace Edge.Cli.Commands;

/// <summary>While it lives, Ctrl+C cancels <see cref="Token"/> instead of killing the process, so long work can finish cleanly.</summary>
internal sealed class ConsoleCancellation : IDisposable
{
    private readonly CancellationTokenSource source = new();
    private readonly ConsoleCancelEventHandler onCancel;

    public ConsoleCancellation()
    {
        onCancel = (_, e) =>
        {
            e.Cancel = true;
            source.Cancel();
        };
        Console.CancelKeyPress += onCancel;
    }

    public CancellationToken Token => source.Token;

    public bool IsCancellationRequested => source.IsCancellationRequested;

    /// <summary>Cancels as Ctrl+C would (another stop signal, such as SIGTERM).</summary>
    public void Cancel() => source.Cancel();

    public void Dispose()
    {
        Console.CancelKeyPress -= onCancel;
        source.Dispose();
    }
}
