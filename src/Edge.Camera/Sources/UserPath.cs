using System.Globalization;
using System.Text;

namespace Edge.Camera.Sources;

/// <summary>
/// Paths a user gives (flags, settings files, dataset and manifest files) are checked for a NUL byte before any file API
/// sees them: no path can hold one, and .NET refuses it with its own ArgumentException ("Null character in path"),
/// which names neither the path nor what it was for.
/// </summary>
public static class UserPath
{
    public static bool HasNul(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return path.Contains('\0', StringComparison.Ordinal);
    }

    /// <summary>The text with control characters written as escapes (<c>\0</c>, <c>\x01</c>), so that a message
    /// about it stays one readable line.</summary>
    public static string Printable(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!text.Any(char.IsControl))
        {
            return text;
        }

        var printable = new StringBuilder(text.Length + 8);
        foreach (var c in text)
        {
            if (c == '\0')
            {
                printable.Append("\\0");
            }
            else if (char.IsControl(c))
            {
                printable.Append(CultureInfo.InvariantCulture, $"\\x{(int)c:x2}");
            }
            else
            {
                printable.Append(c);
            }
        }

        return printable.ToString();
    }
}
