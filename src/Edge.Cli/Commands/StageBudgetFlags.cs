using System.Globalization;
using Edge.Runtime.Budget;
using Edge.Runtime.Pipeline;

namespace Edge.Cli.Commands;

/// <summary>Parses <c>--stage-budget STAGE=MS</c> (repeatable) and <c>--inject-delay STAGE=MS</c>.</summary>
internal static class StageBudgetFlags
{
    public static StageBudgets? Parse(string[]? items)
    {
        if (items is null || items.Length == 0)
        {
            return null;
        }

        var budgets = new StageBudgets();
        foreach (var item in items)
        {
            var parts = item.Split('=', 2, StringSplitOptions.TrimEntries);
            if (parts.Length != 2 || !double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var ms))
            {
                throw Invalid(item);
            }

            budgets = parts[0].ToLowerInvariant() switch
            {
                "queue" => budgets with { Queue = ms },
                "preprocess" => budgets with { Preprocess = ms },
                "inference" => budgets with { Inference = ms },
                "decode" => budgets with { Decode = ms },
                _ => throw Invalid(item),
            };
        }

        return budgets;
    }

    public static InjectedDelay? ParseDelay(string? text)
    {
        if (text is null)
        {
            return null;
        }

        try
        {
            return InjectedDelay.Parse(text);
        }
        catch (FormatException e)
        {
            throw new UserError(ExitCode.InvalidArguments, e.Message);
        }
    }

    private static UserError Invalid(string item) =>
        new(ExitCode.InvalidArguments, $"--stage-budget '{item}' is invalid: expected STAGE=MS with STAGE queue, preprocess, inference or decode");
}
