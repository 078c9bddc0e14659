namespace Edge.Outputs.Gpio;

/// <summary>The settings checked and resolved to lines before anything is opened, so bad input fails without side effects.</summary>
internal sealed record GpioPlan(
    IReadOnlyList<(GpioRule Rule, int LabelIndex, string Stream, string? Model, ResolvedLine Line)> Rules,
    ResolvedLine? Heartbeat,
    ResolvedLine? DeadlineAlert,
    ResolvedLine? Trigger)
{
    public static GpioPlan Create(GpioSettings settings, IReadOnlyList<string> labelNames, GpioScope scope, GpioLineResolver resolver)
    {
        var claimed = new Dictionary<(int Chip, int Offset), string>();
        var rules = new List<(GpioRule, int, string, string?, ResolvedLine)>();
        for (var i = 0; i < settings.Rules.Count; i++)
        {
            var rule = settings.Rules[i];
            var role = $"rule {i} ('{rule.Label}')";
            var labelIndex = IndexOf(labelNames, rule.Label);
            if (labelIndex < 0)
            {
                throw new GpioConfigurationException($"gpio {role}: the model has no label '{rule.Label}': expected one of {string.Join(", ", labelNames)}");
            }

            var stream = StreamOf(rule, i, scope.Streams);
            var model = ModelOf(rule, i, scope.Heads);
            RequireNonNegative(rule.MinOnMs, role, "min_on_ms");
            RequireNonNegative(rule.HoldOffMs, role, "hold_off_ms");
            rules.Add((rule, labelIndex, stream, model, Claim(rule.Line, role)));
        }

        ResolvedLine? heartbeat = null;
        if (settings.Heartbeat is { } heartbeatSpec)
        {
            RequirePositive(settings.HeartbeatHz, "heartbeat", "heartbeat_hz");
            heartbeat = Claim(heartbeatSpec, "heartbeat");
        }

        ResolvedLine? alert = null;
        if (settings.DeadlineAlert is { } alertSpec)
        {
            RequirePositive(settings.AlertHoldMs, "deadline_alert", "alert_hold_ms");
            alert = Claim(alertSpec, "deadline_alert");
        }

        ResolvedLine? trigger = settings.Trigger is { } triggerSpec ? Claim(triggerSpec, "trigger") : null;
        return new GpioPlan(rules, heartbeat, alert, trigger);

        ResolvedLine Claim(GpioLineSpec spec, string role)
        {
            var line = resolver.Resolve(spec, role);
            if (!claimed.TryAdd((line.ChipId, line.Offset), line.Role))
            {
                throw new GpioConfigurationException($"gpio {line.Role}: line {line} is already used by {claimed[(line.ChipId, line.Offset)]}: expected each line once");
            }

            return line;
        }
    }

    /// <summary>The stream a rule follows: the one it names, which must be configured, or the only one.</summary>
    private static string StreamOf(GpioRule rule, int index, IReadOnlyList<string> streams)
    {
        if (rule.Stream is null)
        {
            return streams.Count == 1
                ? streams[0]
                : throw new GpioConfigurationException($"gpio.rules[{index}].stream is not set ('{rule.Label}'): expected one of {string.Join(", ", streams)} (several streams are configured, so each rule names its own)");
        }

        return IndexOf(streams, rule.Stream) >= 0
            ? streams[IndexOf(streams, rule.Stream)]
            : throw new GpioConfigurationException($"gpio.rules[{index}].stream is '{rule.Stream}', which is not a configured stream: expected one of {string.Join(", ", streams)}");
    }

    /// <summary>The head a rule follows: the first (whose labels rules are checked against); null when heads are not known.</summary>
    private static string? ModelOf(GpioRule rule, int index, IReadOnlyList<string>? heads)
    {
        if (heads is not { Count: > 0 })
        {
            return null;
        }

        if (rule.Model is null || rule.Model == heads[0])
        {
            return heads[0];
        }

        var known = IndexOf(heads, rule.Model) >= 0;
        throw new GpioConfigurationException(known
            ? $"gpio.rules[{index}].model is '{rule.Model}': expected '{heads[0]}' (rules follow the configured model's labels; further heads cannot drive GPIO lines yet)"
            : $"gpio.rules[{index}].model is '{rule.Model}', which is not a configured head: expected '{heads[0]}' or none");
    }

    private static int IndexOf(IReadOnlyList<string> labelNames, string label)
    {
        for (var i = 0; i < labelNames.Count; i++)
        {
            if (labelNames[i] == label)
            {
                return i;
            }
        }

        return -1;
    }

    private static void RequireNonNegative(double value, string role, string name)
    {
        if (!double.IsFinite(value) || value < 0)
        {
            throw new GpioConfigurationException($"gpio {role}: {name} is {value}: expected a number of milliseconds >= 0");
        }
    }

    private static void RequirePositive(double value, string role, string name)
    {
        if (!double.IsFinite(value) || value <= 0)
        {
            throw new GpioConfigurationException($"gpio {role}: {name} is {value}: expected a number > 0");
        }
    }
}
