using Edge.Tools.Evaluation.Robustness;
using static Edge.Tools.Tests.Evaluation.Robustness.SyntheticRobustness;

namespace Edge.Tools.Tests.Evaluation.Robustness;

/// <summary>The table people read: one row per family, then the shifted mean and the worst family.</summary>
public sealed class RobustnessTableTests
{
    [Fact]
    public void Write_Result_PrintsHeaderFamilyRowsShiftedMeanAndWorstFamily()
    {
        var result = Result(("clean", "clean", Perfect), ("tint", "appearance", Reversed), ("scale-small", "geometry", Perfect), ("out-of-context", "context", Reversed));

        var lines = Print(result);

        Assert.Equal(
            [
                "robustness set /sets/synthetic: split val, seed 7, 2 scenes per family at 32 px; metrics at the model's thresholds",
                "family          kind         images     mAP    ΔmAP     OF1    ΔOF1      OR     ΔOR",
                "clean           clean             2  100.00    0.00  100.00    0.00  100.00    0.00",
                "tint            appearance        2   50.00   50.00    0.00  100.00    0.00  100.00",
                "scale-small     geometry          2  100.00    0.00  100.00    0.00  100.00    0.00",
                "out-of-context  context           2   50.00   50.00    0.00  100.00    0.00  100.00",
                "shifted mean    2 families            75.00   25.00   50.00   50.00   50.00   50.00",
                "worst family: tint (appearance), mAP 50.00, 50.00 below clean",
            ],
            lines);
    }

    [Fact]
    public void Write_UndefinedValuesAndNoShiftedFamily_PrintsDashes()
    {
        var lines = Print(Result(("clean", "clean", Perfect), ("cooccurrence", "context", NoPositives)));

        Assert.Equal("cooccurrence  context           2       -       -    0.00  100.00    0.00  100.00", lines[3]);
        Assert.Equal("shifted mean  0 families                -       -       -       -       -       -", lines[4]);
        Assert.Equal("worst family: none (no family besides the clean one has a defined mAP)", lines[5]);
    }

    private static string[] Print(RobustnessResult result)
    {
        using var output = new StringWriter();
        RobustnessTable.Write(output, result);
        return output.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
    }
}
