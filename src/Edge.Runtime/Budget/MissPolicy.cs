namespace Edge.Runtime.Budget;

/// <summary>What happens to a frame that misses its deadline (a cancelled inference never has a label set).</summary>
public enum MissPolicy
{
    /// <summary>Never publish a late label set.</summary>
    Drop,

    /// <summary>Publish it with <c>deadline_met: false</c>.</summary>
    Flag,

    /// <summary>Like <see cref="Flag"/>, and step down the degrade ladder while misses persist.</summary>
    Degrade,
}

public static class MissPolicyNames
{
    public const string Expected = "drop, flag or degrade";

    public static bool TryParse(string text, out MissPolicy policy)
    {
        switch (text.Trim().ToLowerInvariant())
        {
            case "drop":
                policy = MissPolicy.Drop;
                return true;
            case "flag":
                policy = MissPolicy.Flag;
                return true;
            case "degrade":
                policy = MissPolicy.Degrade;
                return true;
            default:
                policy = default;
                return false;
        }
    }

    public static string Name(this MissPolicy policy) => policy switch
    {
        MissPolicy.Drop => "drop",
        MissPolicy.Flag => "flag",
        _ => "degrade",
    };
}
