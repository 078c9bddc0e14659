using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Edge.Tools.Quantization;

/// <summary>
/// Builds a bundle in a staging folder next to its destination and puts it in place so that a crash never loses both:
/// the old folder is renamed aside, the new one renamed in, then the old one deleted; a failure between the two
/// renames renames the old one back. A run killed there, or before it could delete its staging folder, leaves
/// folders that the next run for the same destination repairs or deletes (<see cref="RecoverAndClean"/>).
/// </summary>
/// <remarks>
/// Staging (<c>NAME.partial-…</c>) and set-aside (<c>NAME.previous-…</c>) folders are siblings of the destination,
/// so every rename stays on one file system and is atomic. Their names carry the process id, the process's start time
/// and the host of the run that made them: a folder of this host whose process is gone (or whose id now belongs to a
/// process started at another time) is stale at once. The start time is in the name because a folder's own
/// timestamps cannot tell: a set-aside folder keeps the creation time of the bundle it was renamed from. A folder of another host (a shared disk) or without an owner (older versions wrote
/// <c>NAME.partial-XXXXXXXX</c>) is stale once untouched for <see cref="OrphanAge"/>.
/// </remarks>
internal sealed partial class BundleReplacement
{
    /// <summary>How long a staging folder whose owner cannot be checked is left alone.</summary>
    public static readonly TimeSpan OrphanAge = TimeSpan.FromHours(24);

    private const string StagingKind = "partial";
    private const string PreviousKind = "previous";

    private readonly Action<string, string> move;
    private readonly TimeProvider time;
    private readonly string name;
    private readonly string parent;
    private readonly string owner;

    /// <param name="destination">The bundle folder to create or replace.</param>
    /// <param name="time">Tells when an orphaned staging folder is old enough to delete.</param>
    /// <param name="move">Renames a folder; tests inject failures here. <see cref="Directory.Move"/> by default.</param>
    public BundleReplacement(string destination, TimeProvider time, Action<string, string>? move = null)
    {
        this.time = time;
        Destination = Path.TrimEndingDirectorySeparator(Path.GetFullPath(destination));
        name = Path.GetFileName(Destination);
        parent = Path.GetDirectoryName(Destination) ?? throw new ArgumentException($"'{destination}' has no parent folder: expected a folder path", nameof(destination));
        this.move = move ?? Directory.Move;
        owner = OwnerToken(Guid.NewGuid().ToString("N")[..8], Environment.ProcessId, StartSeconds(Process.GetCurrentProcess()), Environment.MachineName);
        Staging = Path.Combine(parent, $"{name}.{StagingKind}-{owner}");
    }

    public string Destination { get; }

    /// <summary>The owner part of a staging or set-aside folder's name: <c>ID-PID.STARTED@HOST</c>.</summary>
    public static string OwnerToken(string id, int pid, long startedUnixSeconds, string host) =>
        string.Create(CultureInfo.InvariantCulture, $"{id}-{pid}.{startedUnixSeconds}@{host}");

    /// <summary>When <paramref name="process"/> started, in whole Unix seconds (as staging folder names record it).</summary>
    public static long StartSeconds(Process process) => new DateTimeOffset(process.StartTime.ToUniversalTime()).ToUnixTimeSeconds();

    /// <summary>Where this run assembles the new bundle (the caller creates and fills it).</summary>
    public string Staging { get; }

    private string Previous => Path.Combine(parent, $"{name}.{PreviousKind}-{owner}");

    /// <summary>Puts the staging folder in place of the destination; on failure the destination is what it was.</summary>
    /// <exception cref="IOException">The new bundle could not be moved in (the old one is restored), or not even restored (the message says where it is).</exception>
    public void Commit()
    {
        if (!Directory.Exists(Destination))
        {
            move(Staging, Destination);
            return;
        }

        move(Destination, Previous);
        try
        {
            move(Staging, Destination);
        }
        catch (Exception failure) when (failure is IOException or UnauthorizedAccessException)
        {
            try
            {
                move(Previous, Destination);
            }
            catch (Exception restore) when (restore is IOException or UnauthorizedAccessException)
            {
                throw new IOException($"cannot move the new bundle into '{Destination}' ({failure.Message}) nor put the old one back ({restore.Message}): the old bundle is in '{Previous}'", failure);
            }

            throw;
        }

        // The new bundle is in place: failing to delete the old one only leaves a folder the next run deletes.
        TryDelete(Previous);
    }

    /// <summary>Deletes this run's staging folder if it is still there (the bundle was not committed).</summary>
    public void DeleteStaging() => TryDelete(Staging);

    /// <summary>
    /// Repairs what dead runs for this destination left: a set-aside bundle is renamed back when the destination is
    /// missing (the run was killed between the two renames) and deleted otherwise; stale staging folders are deleted.
    /// Folders of live runs, and folders of other names, are left alone.
    /// </summary>
    /// <returns>One line per folder restored or deleted, for the log.</returns>
    public IReadOnlyList<string> RecoverAndClean()
    {
        var now = time.GetUtcNow().UtcDateTime;
        var done = new List<string>();
        if (!Directory.Exists(parent))
        {
            return done;
        }

        var stale = Directory.EnumerateDirectories(parent, name + ".*")
            .Select(path => (Path: path, Match: LeftoverName().Match(Path.GetFileName(path))))
            .Where(f => f.Match.Success && f.Match.Groups["name"].Value == name && IsStale(f.Path, f.Match, now))
            .ToList();

        var previous = stale.Where(f => f.Match.Groups["kind"].Value == PreviousKind).OrderByDescending(f => Directory.GetLastWriteTimeUtc(f.Path)).ToList();
        if (previous.Count > 0 && !Directory.Exists(Destination))
        {
            move(previous[0].Path, Destination);
            done.Add($"restored '{Destination}' from '{previous[0].Path}', left by a run that stopped while replacing it");
            previous.RemoveAt(0);
        }

        foreach (var (path, _) in previous.Concat(stale.Where(f => f.Match.Groups["kind"].Value == StagingKind)))
        {
            if (TryDelete(path))
            {
                done.Add($"deleted '{path}', left by a run that did not finish");
            }
        }

        return done;
    }

    private static bool IsStale(string path, Match match, DateTime now)
    {
        if (!match.Groups["pid"].Success || match.Groups["host"].Value != Environment.MachineName)
        {
            return now - Directory.GetLastWriteTimeUtc(path) > OrphanAge;
        }

        return !int.TryParse(match.Groups["pid"].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
            || !long.TryParse(match.Groups["started"].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out var started)
            || !IsOwnerAlive(pid, started);
    }

    private static bool IsOwnerAlive(int pid, long startedUnixSeconds)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            // Another start time means the id was reused. A second's slack covers start times rounded differently.
            return Math.Abs(StartSeconds(process) - startedUnixSeconds) <= 1;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            return false;
        }
    }

    private static bool TryDelete(string path)
    {
        try
        {
            Directory.Delete(path, recursive: true);
            return true;
        }
        catch (DirectoryNotFoundException)
        {
            return false;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary><c>NAME.partial-ID-PID.STARTED@HOST</c>, <c>NAME.previous-ID-PID.STARTED@HOST</c>, or an older version's <c>NAME.partial-ID</c>.</summary>
    [GeneratedRegex(@"^(?<name>.+)\.(?<kind>partial|previous)-[0-9a-f]{8}(-(?<pid>[0-9]{1,10})\.(?<started>[0-9]{1,19})@(?<host>.+))?$", RegexOptions.CultureInvariant)]
    private static partial Regex LeftoverName();
}
