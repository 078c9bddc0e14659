namespace Edge.Cli.Service;

/// <summary>Which streams must be alive for the systemd watchdog to be fed (setting <c>watchdog_streams</c>).</summary>
public enum WatchdogStreams
{
    /// <summary>Every stream marked required (the default: a lost required camera gets the service restarted).</summary>
    Required,

    /// <summary>Any one stream: only a run in which no camera delivers is restarted.</summary>
    Any,
}

public static class WatchdogStreamsNames
{
    public const string Expected = "required or any";

    public static bool TryParse(string text, out WatchdogStreams rule)
    {
        (var known, rule) = text switch
        {
            "required" => (true, WatchdogStreams.Required),
            "any" => (true, WatchdogStreams.Any),
            _ => (false, WatchdogStreams.Required),
        };
        return known;
    }
}
