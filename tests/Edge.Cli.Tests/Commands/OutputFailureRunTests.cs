using System.Diagnostics;
using System.Text.Json;
using Edge.Cli.Commands;

namespace Edge.Cli.Tests.Commands;

/// <summary>
/// The real app against outputs that fail as they do in the field: a read-only or full filesystem (a real tmpfs), a
/// stdout whose reader went away, an output file an earlier run left with a partial line, a budget no frame can meet.
/// </summary>
[Trait("Category", "App")]
public sealed class OutputFailureRunTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    private readonly TestBundle bundle = TestBundle.Create();

    public void Dispose() => bundle.Dispose();

    [TmpfsTheory]
    [InlineData("--output", "labels.jsonl")]
    [InlineData("--events", "events.jsonl")]
    [InlineData("--hard-frames", "hard")]
    [InlineData("--hard-frames", "")]
    public void Run_WriteTargetOnReadOnlyFilesystem_ExitsInvalidArgumentsNamingTheFlag(string flag, string name)
    {
        using var readOnly = Tmpfs.Mount(64, readOnly: true);
        var target = name.Length == 0 ? readOnly.Directory : Path.Combine(readOnly.Directory, name);

        var result = EdgeProcess.Run(Timeout, "run", "--model", bundle.Directory, "--source", "synthetic?size=32", "--frames", "2", flag, target);

        EdgeProcess.AssertOneLineError(result, ExitCode.InvalidArguments, flag);
        Assert.Contains(target, result.StandardError, StringComparison.Ordinal);
        Assert.Empty(result.OutputLines);
    }

    [Fact]
    public void Run_StdoutAndStderrToTheSameFile_NeitherOverwritesTheOther()
    {
        var log = Path.Combine(bundle.Directory, "all.log");
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";
        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        start.ArgumentList.Add("-c");
        // `> all.log 2>&1`, as a shell or systemd's StandardOutput=file: sets it up: one file, one shared offset.
        start.ArgumentList.Add("exec \"$0\" \"$@\" > \"$LOG\" 2>&1");
        foreach (var argument in new[] { dotnet, Path.Combine(AppContext.BaseDirectory, "edge.dll"), "run", "--model", bundle.Directory, "--source", "synthetic?size=32", "--frames", "20" })
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["LOG"] = log;
        using var process = Process.Start(start)!;
        Assert.True(process.WaitForExit(Timeout), "edge did not finish");

        var lines = File.ReadAllLines(log);
        var labelSets = lines.Where(line => line.StartsWith('{')).ToList();
        Assert.Equal(0, process.ExitCode);
        Assert.Equal(20, labelSets.Count);
        Assert.All(labelSets, line => Assert.Equal("edge.labels/2", JsonDocument.Parse(line).RootElement.GetProperty("schema").GetString()));
        Assert.Contains(lines, line => line.Contains("model tiny-multilabel", StringComparison.Ordinal)); // the start-up log line
        Assert.Contains(lines, line => line.StartsWith("published 20", StringComparison.Ordinal));        // the summary
    }

    [Fact]
    public async Task Run_StdoutClosedByItsReader_StopsSayingWhy_WithExitCode141()
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { Path.Combine(AppContext.BaseDirectory, "edge.dll"), "run", "--model", bundle.Directory, "--source", "synthetic?size=32&fps=200", "--frames", "100000" })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        for (var i = 0; i < 3; i++)
        {
            Assert.NotNull(await process.StandardOutput.ReadLineAsync()); // like `| head -3`
        }

        process.StandardOutput.Close();
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(patience.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail("edge kept running after its stdout reader went away");
        }

        Assert.Equal((int)ExitCode.OutputClosed, process.ExitCode);
        var stderr = await error;
        Assert.Contains("stdout was closed by its reader", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("published 100000", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(" at Edge.", stderr, StringComparison.Ordinal);
    }

    [TmpfsFact]
    public void Run_OutputFilesystemFills_KeepsRunningWritingOnlyWholeLines_AndCountsTheRest()
    {
        using var disk = Tmpfs.Mount(16);
        var output = Path.Combine(disk.Directory, "labels.jsonl");

        var result = EdgeProcess.Run(Timeout, "run", "--model", bundle.Directory, "--source", "synthetic?size=32&fps=0", "--frames", "200", "--output", output);

        Assert.Equal(0, result.ExitCode);
        var text = File.ReadAllText(output);
        Assert.EndsWith("\n", text, StringComparison.Ordinal);
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.InRange(lines.Length, 1, 199);
        foreach (var line in lines)
        {
            Assert.Equal("edge.labels/2", JsonDocument.Parse(line).RootElement.GetProperty("schema").GetString());
        }

        Assert.Contains("published 200", result.StandardError, StringComparison.Ordinal);
        Assert.Contains($"{lines.Length} lines written, {200 - lines.Length} not written (no space left on the device)", result.StandardError, StringComparison.Ordinal);
        Assert.Single(result.ErrorLines, line => line.Contains("no space left", StringComparison.OrdinalIgnoreCase) && line.Contains("warn", StringComparison.Ordinal));
    }

    [Fact]
    public void Run_OutputEndingInPartialLine_CutsItOffBeforeAppending()
    {
        var output = Path.Combine(bundle.Directory, "labels.jsonl");
        var first = EdgeProcess.Run(Timeout, "run", "--model", bundle.Directory, "--source", "synthetic?size=32", "--frames", "1", "--output", output);
        Assert.Equal(0, first.ExitCode);
        var complete = File.ReadAllText(output);
        File.AppendAllText(output, "{\""); // what a full disk left behind before

        var second = EdgeProcess.Run(Timeout, "run", "--model", bundle.Directory, "--source", "synthetic?size=32", "--frames", "2", "--output", output);

        Assert.Equal(0, second.ExitCode);
        var lines = File.ReadAllLines(output);
        Assert.Equal(3, lines.Length);
        Assert.Equal(complete.TrimEnd('\n'), lines[0]);
        Assert.All(lines, line => JsonDocument.Parse(line));
        Assert.Contains("incomplete last line", second.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_OutputEndingWithoutNewlineInForeignText_KeepsItAndStartsOnANewLine()
    {
        var output = Path.Combine(bundle.Directory, "notes.txt");
        File.WriteAllText(output, "operator notes, no newline at the end");

        var result = EdgeProcess.Run(Timeout, "run", "--model", bundle.Directory, "--source", "synthetic?size=32", "--frames", "1", "--output", output);

        Assert.Equal(0, result.ExitCode);
        var lines = File.ReadAllLines(output);
        Assert.Equal("operator notes, no newline at the end", lines[0]);
        Assert.Equal("edge.labels/2", JsonDocument.Parse(lines[1]).RootElement.GetProperty("schema").GetString());
    }

    [Fact]
    public void Run_BudgetNoFrameCanMeet_SummarySaysNoFrameMetItsDeadline()
    {
        // On a loaded machine the deadline timer can wake after the injected delay ends; the frame then completes
        // late instead of being cancelled. The drop policy withholds it either way, so nothing is published.
        var result = EdgeProcess.Run(Timeout, "run", "--model", bundle.Directory, "--source", "synthetic?size=32&fps=50&frames=20",
            "--budget-ms", "1", "--frames", "3", "--inject-delay", "inference=20", "--miss-policy", "drop");

        Assert.Equal(0, result.ExitCode);
        Assert.Empty(result.OutputLines);
        Assert.Contains("published 0,", result.StandardError, StringComparison.Ordinal);
        Assert.Contains("no frame met its deadline", result.StandardError, StringComparison.Ordinal);
        Assert.Contains("--frames counts published label sets only", result.StandardError, StringComparison.Ordinal);
    }

    [TmpfsFact]
    public void Run_HardFramesOnFullDisk_OneWarningNoStackTraces_AndCountedInTheSummary()
    {
        using var disk = Tmpfs.Mount(64);
        disk.Fill();

        var result = EdgeProcess.Run(Timeout, "run", "--model", bundle.Directory, "--source", "synthetic?size=32&fps=40&frames=200", "--hard-frames", disk.Directory, "--budget-ms", "60000");

        Assert.Equal(0, result.ExitCode);
        Assert.NotEmpty(result.OutputLines);
        Assert.DoesNotContain("System.IO.IOException", result.StandardError, StringComparison.Ordinal);
        Assert.Single(result.ErrorLines, line => line.Contains("edge.hard-frames", StringComparison.Ordinal) && line.Contains("no space left", StringComparison.OrdinalIgnoreCase));
        var summary = Assert.Single(result.ErrorLines, line => line.StartsWith("hard frames:", StringComparison.Ordinal));
        Assert.Matches(@"[1-9]\d* not saved \(no space left", summary);
    }
}
