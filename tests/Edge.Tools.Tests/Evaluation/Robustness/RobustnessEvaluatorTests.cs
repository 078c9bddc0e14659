using Edge.Runtime.Inference;
using Edge.Tools.Evaluation;
using Edge.Tools.Evaluation.Datasets;
using Edge.Tools.Evaluation.Robustness;

namespace Edge.Tools.Tests.Evaluation.Robustness;

/// <summary>The tiny fixture model over a rendered robustness set, through one session.</summary>
public sealed class RobustnessEvaluatorTests : IDisposable
{
    private readonly RobustnessSetFolder folder = RobustnessSetFolder.Render(6);
    private readonly TestBundle bundle = TestBundle.Create();

    [Fact]
    public void Run_RenderedSet_EachFamilyScoresAsEvaluatingItAlone()
    {
        var set = RobustnessSetReader.Read(folder.Path);
        var model = bundle.Load();
        using var session = ModelSession.Create(model, ExecutionProviderChoice.Cpu, 1);

        var result = RobustnessEvaluator.Run(model, session, set);

        Assert.Equal(set.Families, result.Families.Select(f => f.Family));
        foreach (var family in result.Families)
        {
            var alone = Evaluator.Run(model, session, family.Family.Dataset);
            Assert.Equal(alone.Scores.Probabilities, family.Evaluation.Scores.Probabilities);
            Assert.Equal(alone.Overall.MeanAp, family.Metrics.MeanAp);
            Assert.Equal(alone.Overall.OF1, family.Metrics.OF1);
            Assert.Equal(6, family.Metrics.Images);
        }

        // The renders differ by seed, so the families really are scored apart.
        Assert.NotEqual(result.Families[0].Evaluation.Scores.Probabilities, result.Families[1].Evaluation.Scores.Probabilities);
    }

    [Fact]
    public void Run_RenderedSet_GapsAreCleanMinusFamily()
    {
        var set = RobustnessSetReader.Read(folder.Path);
        var model = bundle.Load();
        using var session = ModelSession.Create(model, ExecutionProviderChoice.Cpu, 1);

        var result = RobustnessEvaluator.Run(model, session, set);

        var clean = result.Families[0].Metrics;
        foreach (var family in result.Families)
        {
            Assert.Equal(clean.MeanAp - family.Metrics.MeanAp, family.Gap.MeanAp);
            Assert.Equal(clean.OF1 - family.Metrics.OF1, family.Gap.OF1);
            Assert.Equal(clean.OR - family.Metrics.OR, family.Gap.OR);
        }
    }

    [Fact]
    public void Run_Progress_CountsImagesOverAllFamilies()
    {
        var set = RobustnessSetReader.Read(folder.Path, limit: 4);
        var model = bundle.Load();
        using var session = ModelSession.Create(model, ExecutionProviderChoice.Cpu, 1);
        var reports = new List<int>();

        RobustnessEvaluator.Run(model, session, set, new SynchronousProgress(reports.Add));

        Assert.Equal(Enumerable.Range(1, 16), reports);
    }

    [Fact]
    public void Run_LaterFamilyWithALabelTheModelLacks_FailsBeforeAnyImageRuns()
    {
        var labels = Path.Combine(folder.FolderOf("out-of-context"), "labels.csv");
        File.WriteAllLines(labels, [.. File.ReadAllLines(labels).Select((line, i) => i == 1 ? line.Split(',')[0] + ",umbrella" : line)]);
        var set = RobustnessSetReader.Read(folder.Path);
        var model = bundle.Load();
        using var session = ModelSession.Create(model, ExecutionProviderChoice.Cpu, 1);
        var reports = new List<int>();

        var error = Assert.Throws<DatasetException>(() => RobustnessEvaluator.Run(model, session, set, new SynchronousProgress(reports.Add)));

        Assert.Contains("'umbrella'", error.Message, StringComparison.Ordinal);
        Assert.Contains(labels, error.Message, StringComparison.Ordinal);
        Assert.Empty(reports);
    }

    public void Dispose()
    {
        bundle.Dispose();
        folder.Dispose();
    }

    private sealed class SynchronousProgress(Action<int> report) : IProgress<int>
    {
        public void Report(int value) => report(value);
    }
}
