namespace Edge.Runtime.Bundles;

/// <summary>
/// Confines a path named by a manifest to its bundle folder. A bundle is data someone handed over: it must not make
/// the runtime open (and hash, and report on) files elsewhere on the device.
/// </summary>
internal static class BundlePath
{
    // Linux's own limit on links followed while resolving one path (ELOOP beyond it).
    private const int MaxLinks = 40;

    /// <summary>Lexical check, no file access: relative, and no '..' leading out of the folder.</summary>
    public static string Combine(string directory, string relative, string field)
    {
        if (Path.IsPathRooted(relative))
        {
            throw Outside(field, relative, directory, "an absolute path");
        }

        var root = Path.GetFullPath(directory);
        var full = Path.GetFullPath(Path.Combine(root, relative));
        if (!IsInside(root, full))
        {
            throw Outside(field, relative, directory, "'..' leads out of it");
        }

        return Path.Combine(directory, relative);
    }

    /// <summary>For a path that exists: every symlink on the way from the folder to the file resolves inside the folder.</summary>
    public static void CheckLinks(string directory, string relative, string field)
    {
        var root = RealPath(Path.GetFullPath(directory));
        var resolved = RealPath(Path.GetFullPath(Path.Combine(root, relative)));
        if (!IsInside(root, resolved))
        {
            throw Outside(field, relative, directory, $"a symlink resolves to '{resolved}'");
        }
    }

    private static bool IsInside(string root, string path)
    {
        var relative = Path.GetRelativePath(root, path);
        return relative != ".." && !relative.StartsWith(".." + Path.DirectorySeparatorChar, StringComparison.Ordinal) && !Path.IsPathRooted(relative);
    }

    /// <summary>The path with every symlink on it resolved, component by component (what realpath(3) returns).</summary>
    private static string RealPath(string fullPath)
    {
        var links = 0;
        var pending = new Stack<string>(fullPath[Path.GetPathRoot(fullPath)!.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries).Reverse());
        var current = Path.GetPathRoot(fullPath)!;
        while (pending.Count > 0)
        {
            var part = pending.Pop();
            if (part == ".")
            {
                continue;
            }

            if (part == "..")
            {
                current = Path.GetDirectoryName(current) ?? current;
                continue;
            }

            var next = Path.Combine(current, part);
            var info = new FileInfo(next);
            if (info.LinkTarget is not { } target)
            {
                current = next;
                continue;
            }

            if (++links > MaxLinks)
            {
                throw new ModelBundleException($"'{next}' is part of a symlink loop");
            }

            // Resolve the target's own components in turn: it may be relative, and may pass through further links.
            var absolute = Path.IsPathRooted(target) ? target : Path.Combine(current, target);
            var parts = absolute[Path.GetPathRoot(absolute)!.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries);
            for (var i = parts.Length - 1; i >= 0; i--)
            {
                pending.Push(parts[i]);
            }

            current = Path.GetPathRoot(absolute)!;
        }

        return current;
    }

    private static ModelBundleException Outside(string field, string value, string directory, string why) =>
        new($"manifest field '{field}' is '{value}': expected a path inside the bundle folder '{directory}', but {why}");
}
