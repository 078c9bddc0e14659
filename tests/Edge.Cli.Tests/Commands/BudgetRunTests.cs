using System.Text.Json;

namespace Edge.Cli.Tests.Commands;

/// <summary><c>edge run</c> with a slow stage injected: the miss policies and events as a user sees them.</summary>
[Trait("Category", "App")]
public sealed class BudgetRunTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    private readonly TestBundle bundle = TestBundle.Create();

    public void Dispose() => bundle.Dispose();

    [Fact]
    public void Drop_SlowInference_PublishesNothingLate_AndWritesCancelledEvents()
    {
        var events = Path.Combine(bundle.Directory, "events.jsonl");

        var result = EdgeProcess.Run(Timeout, "run", "--model", bundle.Directory, "--source", "synthetic?size=32&fps=10&frames=6",
            "--budget-ms", "40", "--miss-policy", "drop", "--inject-delay", "inference=300", "--events", events);

        Assert.Equal(0, result.ExitCode);
        Assert.Empty(result.OutputLines);
        var lines = File.ReadAllLines(events);
        Assert.NotEmpty(lines);
        foreach (var line in lines)
        {
            var json = JsonDocument.Parse(line).RootElement;
            if (json.GetProperty("event").GetString() is "label_on" or "label_off")
            {
                continue; // withheld frames publish nothing, so only a published frame could carry these
            }

            Assert.Equal("edge.event/1", json.GetProperty("schema").GetString());
            Assert.Equal("deadline_missed", json.GetProperty("event").GetString());
            Assert.Equal("cancelled", json.GetProperty("reason").GetString());
            Assert.False(json.GetProperty("published").GetBoolean());
            Assert.InRange(json.GetProperty("latency_ms").GetDouble(), 40, 200);
        }

        Assert.Contains("cancelled", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public void Flag_SlowDecode_MarksEveryLabelSetLate_WithEventsNextToThem()
    {
        var result = EdgeProcess.Run(Timeout, "run", "--model", bundle.Directory, "--source", "synthetic?size=32&fps=0",
            "--frames", "3", "--budget-ms", "20", "--miss-policy", "flag", "--inject-delay", "decode=30", "--events", "-");

        Assert.Equal(0, result.ExitCode);
        var messages = result.OutputLines.Select(line => JsonDocument.Parse(line).RootElement).ToList();
        var labelSets = messages.Where(m => m.GetProperty("schema").GetString() == "edge.labels/2").ToList();
        var events = messages.Where(m => m.GetProperty("schema").GetString() == "edge.event/1" && m.GetProperty("event").GetString() == "deadline_missed").ToList();
        Assert.Equal(3, labelSets.Count);
        Assert.All(labelSets, m => Assert.False(m.GetProperty("deadline_met").GetBoolean()));
        // One event per late label set; a loaded machine may add a cancelled frame, never published.
        Assert.Equal(3, events.Count(e => e.GetProperty("published").GetBoolean()));
        Assert.All(events.Where(e => !e.GetProperty("published").GetBoolean()), e => Assert.Equal("cancelled", e.GetProperty("reason").GetString()));
        Assert.Equal(Enumerable.Range(1, events.Count).Select(n => (long)n), events.Select(e => e.GetProperty("total_count").GetInt64()));
    }
}
