using System.Globalization;

namespace Edge.Runtime.Platform;

/// <summary>
/// Reads of procfs, sysfs and /etc under a root folder (tests pass a fake tree). A probe must never fail the benchmark,
/// so every missing, unreadable or refused file reads as null and every missing folder as empty.
/// </summary>
internal static class SysFs
{
    public static string Under(string root, string path) => Path.Join(root, path);

    /// <summary>The file's text without trailing whitespace or the NUL that device-tree strings end with.</summary>
    public static string? ReadText(string path)
    {
        try
        {
            return File.Exists(path) ? File.ReadAllText(path).TrimEnd('\0', '\n', '\r', ' ', '\t') : null;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            // Some sysfs attributes exist but refuse reads (EINVAL, ENODATA) while their device sleeps.
            return null;
        }
    }

    public static long? ReadInteger(string path) =>
        long.TryParse(ReadText(path), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) ? value : null;

    public static IReadOnlyList<string> ReadLines(string path) => ReadText(path)?.Split('\n') ?? [];

    /// <summary>Entries named <paramref name="prefix"/> followed by a number, in numeric order (zone2 before zone10).</summary>
    public static IReadOnlyList<(string Path, int Number)> Numbered(string folder, string prefix, bool directories, string suffix = "")
    {
        try
        {
            if (!Directory.Exists(folder))
            {
                return [];
            }

            var entries = directories
                ? Directory.EnumerateDirectories(folder, prefix + "*" + suffix)
                : Directory.EnumerateFiles(folder, prefix + "*" + suffix);
            var numbered = new List<(string Path, int Number)>();
            foreach (var entry in entries)
            {
                var name = Path.GetFileName(entry);
                var digits = name.AsSpan(prefix.Length, name.Length - prefix.Length - suffix.Length);
                if (int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
                {
                    numbered.Add((entry, number));
                }
            }

            numbered.Sort((a, b) => a.Number.CompareTo(b.Number));
            return numbered;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    /// <summary>The subfolders of <paramref name="folder"/> (sysfs device links included), in ordinal order.</summary>
    public static IReadOnlyList<string> Subfolders(string folder)
    {
        try
        {
            if (!Directory.Exists(folder))
            {
                return [];
            }

            var folders = Directory.GetDirectories(folder);
            Array.Sort(folders, StringComparer.Ordinal);
            return folders;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    /// <summary>
    /// <paramref name="name"/>, or with the suffix when an earlier entry took it: JSON objects keyed by name need
    /// unique keys and two sensors or rails can share a label.
    /// </summary>
    public static string Distinct(string name, HashSet<string> taken, int suffix)
    {
        var distinct = taken.Contains(name) ? $"{name}_{suffix}" : name;
        taken.Add(distinct);
        return distinct;
    }
}
