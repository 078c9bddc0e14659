using System.Text.Json;

namespace Edge.Runtime.Publishing;

/// <summary>How every report of the app writes a measured number: four decimals, and null when it is not finite (JSON has no NaN).</summary>
public static class JsonNumbers
{
    public static void Number(Utf8JsonWriter writer, string name, double value)
    {
        if (double.IsFinite(value))
        {
            writer.WriteNumber(name, Math.Round(value, 4));
        }
        else
        {
            writer.WriteNull(name);
        }
    }
}
