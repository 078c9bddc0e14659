using System.CommandLine;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using Edge.Cli.Commands;

namespace Edge.Cli.Configuration;

/// <summary>
/// One setting of <c>edge run</c>, declared once as a <see cref="SettingAttribute"/> property of
/// <see cref="RunSettings"/>: the JSON key, environment variable and flag are derived from the property's name, and
/// reading the environment, reading the flag and layering all go through here.
/// </summary>
internal sealed class SettingKey
{
    private SettingKey(PropertyInfo property, SettingAttribute declaration)
    {
        Property = property;
        Name = JsonNamingPolicy.SnakeCaseLower.ConvertName(property.Name);
        Description = declaration.Description;
        FileOnly = declaration.FileOnly;
    }

    /// <summary>Every setting, in declaration order (the order of <c>--help</c> and of the docs' table).</summary>
    public static IReadOnlyList<SettingKey> All { get; } =
    [
        .. typeof(RunSettings).GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(property => property.GetCustomAttribute<SettingAttribute>() is not null)
            .Select(property => new SettingKey(property, property.GetCustomAttribute<SettingAttribute>()!)),
    ];

    /// <summary>The settings that also come from the environment and from flags.</summary>
    public static IReadOnlyList<SettingKey> Layered { get; } = [.. All.Where(key => !key.FileOnly)];

    public PropertyInfo Property { get; }

    /// <summary>The JSON key, also how messages name the setting: <c>budget_ms</c>.</summary>
    public string Name { get; }

    public string Description { get; }

    public bool FileOnly { get; }

    /// <summary><c>--budget-ms</c>; null for a file-only setting.</summary>
    public string? Flag => FileOnly ? null : "--" + Name.Replace('_', '-');

    /// <summary><c>EDGE_BUDGET_MS</c>; null for a file-only setting.</summary>
    public string? EnvironmentVariable => FileOnly ? null : "EDGE_" + Name.ToUpperInvariant();

    public object? ValueIn(RunSettings settings) => Property.GetValue(settings);

    public void Set(RunSettings settings, object? value) => Property.SetValue(settings, value);

    /// <summary>The flag, typed as the setting is, so a malformed number is refused while parsing the command line.</summary>
    public Option CreateOption() => Type switch
    {
        _ when Type == typeof(long?) => new Option<long?>(Flag!) { Description = Description },
        _ when Type == typeof(double?) => new Option<double?>(Flag!) { Description = Description },
        _ when Type == typeof(int?) => new Option<int?>(Flag!) { Description = Description },
        _ when Type == typeof(float?) => new Option<float?>(Flag!) { Description = Description },
        _ => new Option<string?>(Flag!) { Description = Description },
    };

    /// <summary>Copies the flag's value, when one was given, into <paramref name="target"/>.</summary>
    public void ReadFlag(ParseResult parse, Option option, RunSettings target)
    {
        object? value = option switch
        {
            Option<long?> typed => parse.GetValue(typed),
            Option<double?> typed => parse.GetValue(typed),
            Option<int?> typed => parse.GetValue(typed),
            Option<float?> typed => parse.GetValue(typed),
            Option<string?> typed => parse.GetValue(typed),
            _ => throw new ArgumentException($"option {option.Name} was not made by {nameof(CreateOption)}", nameof(option)),
        };
        if (value is not null)
        {
            Set(target, value);
        }
    }

    /// <summary>Copies the environment variable's value, when it is set and not blank, into <paramref name="target"/>.</summary>
    public void ReadEnvironment(Func<string, string?> read, RunSettings target)
    {
        var name = EnvironmentVariable!;
        if (read(name) is not { } text || string.IsNullOrWhiteSpace(text))
        {
            return;
        }

        try
        {
            Set(target, ParseText(text));
        }
        catch (FormatException)
        {
            throw new UserError(ExitCode.InvalidArguments, $"environment variable {name}='{text}' is not a valid {(Nullable.GetUnderlyingType(Type) ?? Type).Name.ToLowerInvariant()}");
        }
        catch (OverflowException)
        {
            throw new UserError(ExitCode.InvalidArguments, $"environment variable {name}='{text}' is out of range");
        }
    }

    private Type Type => Property.PropertyType;

    private object ParseText(string text) => Type switch
    {
        _ when Type == typeof(long?) => long.Parse(text, CultureInfo.InvariantCulture),
        _ when Type == typeof(double?) => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture),
        _ when Type == typeof(int?) => int.Parse(text, CultureInfo.InvariantCulture),
        _ when Type == typeof(float?) => float.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture),
        _ => text,
    };
}
