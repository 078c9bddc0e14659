namespace Edge.Outputs.Gpio;

/// <summary>The settings checked and resolved to lines before anything is opened, so bad input fails without side effects.</summary>
internal sealed record GpioPlan(
    IReadOnlyList<(GpioRule Rule, int LabelIndex, ResolvedLine Line)> Rules,
    ResolvedLine? Heartbeat,
    ResolvedLine? DeadlineAlert,
    ResolvedLine? Trigger)
{
    public static GpioPlan Create(GpioSettings settings, IReadOnlyList<string> labelNames, GpioLineResolver resolver)
    {
        var claimed = new Dictionary<(int Chip, int Offset), string>();
        var rules = new List<(GpioRule, int, ResolvedLine)>();
        for (var i = 0; i < settings.Rules.Count; i++)
        {
            var rule = settings.Rules[i];
            var role = $"rule {i} ('{rule.Label}')";
            var labelIndex = IndexOf(labelNames, rule.Label);
            if (labelIndex < 0)
            {
                throw new GpioConfigurationException($"gpio {role}: the model has no label '{rule.Label}': expected one of {string.Join(", ", labelNames)}");
            }

            RequireNonNegative(rule.MinOnMs, role, "min_on_ms");
            RequireNonNegative(rule.HoldOffMs, role, "hold_off_ms");
            rules.Add((rule, labelIndex, Claim(rule.Line, role)));
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
