using Edge.Tools.Quantization;

namespace Edge.Tools.Tests.Quantization;

/// <summary>Replacing a bundle folder with a staged one, failures between the renames, and what dead runs leave behind.</summary>
public sealed class BundleReplacementTests : IDisposable
{
    // Above Linux's largest pid (pid_max is at most 2^22): never a live process.
    private const int DeadPid = int.MaxValue;

    private readonly DirectoryInfo work = Directory.CreateTempSubdirectory("edge-replacement-");

    private string Destination => Path.Combine(work.FullName, "int8");

    public void Dispose() => work.Delete(recursive: true);

    [Fact]
    public void Commit_DestinationExists_ReplacesItAndLeavesNoOtherFolder()
    {
        Bundle(Destination, "old");
        var replacement = new BundleReplacement(Destination, TimeProvider.System);
        Bundle(replacement.Staging, "new");

        replacement.Commit();

        Assert.Equal("new", Content(Destination));
        Assert.Equal([Destination], Directory.GetDirectories(work.FullName));
    }

    [Fact]
    public void Constructor_FileSystemRoot_IsRefused() =>
        Assert.Throws<ArgumentException>(() => new BundleReplacement("/", TimeProvider.System));

    [Fact]
    public void Commit_NoDestination_MovesTheStagingFolderIn()
    {
        var replacement = new BundleReplacement(Destination, TimeProvider.System);
        Bundle(replacement.Staging, "new");

        replacement.Commit();

        Assert.Equal("new", Content(Destination));
        Assert.Equal([Destination], Directory.GetDirectories(work.FullName));
    }

    [Fact]
    public void Commit_FailureBetweenTheTwoRenames_PutsTheOldBundleBack()
    {
        Bundle(Destination, "old");
        var moves = 0;
        var replacement = new BundleReplacement(Destination, TimeProvider.System, (from, to) =>
        {
            if (++moves == 2)
            {
                throw new IOException("disk went away");
            }

            Directory.Move(from, to);
        });
        Bundle(replacement.Staging, "new");

        var error = Assert.Throws<IOException>(replacement.Commit);

        Assert.Equal("disk went away", error.Message);
        Assert.Equal("old", Content(Destination));
        replacement.DeleteStaging();
        Assert.Equal([Destination], Directory.GetDirectories(work.FullName));
    }

    [Fact]
    public void Commit_NeitherTheNewNorTheOldCanBeMovedIn_NamesWhereTheOldBundleIs()
    {
        Bundle(Destination, "old");
        var moves = 0;
        var replacement = new BundleReplacement(Destination, TimeProvider.System, (from, to) =>
        {
            if (++moves >= 2)
            {
                throw new IOException("disk went away");
            }

            Directory.Move(from, to);
        });
        Bundle(replacement.Staging, "new");

        var error = Assert.Throws<IOException>(replacement.Commit);

        var aside = Assert.Single(Directory.GetDirectories(work.FullName, "int8.previous-*"));
        Assert.Contains($"the old bundle is in '{aside}'", error.Message, StringComparison.Ordinal);
        Assert.Equal("old", Content(aside));
    }

    [Fact]
    public void RecoverAndClean_RunKilledBetweenTheRenames_RestoresTheOldBundle()
    {
        // What a run killed after renaming the old bundle aside leaves: no destination, the old bundle aside, its staging folder.
        Bundle(Leftover("previous", DeadPid), "old");
        Bundle(Leftover("partial", DeadPid), "new");

        var done = new BundleReplacement(Destination, TimeProvider.System).RecoverAndClean();

        Assert.Equal("old", Content(Destination));
        Assert.Equal([Destination], Directory.GetDirectories(work.FullName));
        Assert.Equal(2, done.Count);
        Assert.StartsWith($"restored '{Destination}'", done[0], StringComparison.Ordinal);
    }

    [Fact]
    public void RecoverAndClean_RunKilledAfterTheNewBundleWentIn_DeletesTheOldOne()
    {
        Bundle(Destination, "new");
        Bundle(Leftover("previous", DeadPid), "old");

        new BundleReplacement(Destination, TimeProvider.System).RecoverAndClean();

        Assert.Equal("new", Content(Destination));
        Assert.Equal([Destination], Directory.GetDirectories(work.FullName));
    }

    [Fact]
    public void RecoverAndClean_StagingFolderOfALiveRun_IsKept()
    {
        var live = Leftover("partial", Environment.ProcessId, BundleReplacement.StartSeconds(System.Diagnostics.Process.GetCurrentProcess()));
        Bundle(live, "being written");

        var done = new BundleReplacement(Destination, TimeProvider.System).RecoverAndClean();

        Assert.Empty(done);
        Assert.True(Directory.Exists(live));
    }

    [Fact]
    public void RecoverAndClean_PidNowOfAProcessStartedAtAnotherTime_IsStale()
    {
        // The id is alive (this test process), but the folder's owner started at another time: the id was reused.
        var started = BundleReplacement.StartSeconds(System.Diagnostics.Process.GetCurrentProcess());
        var reused = Leftover("partial", Environment.ProcessId, started - 3600);
        Bundle(reused, "old run");

        new BundleReplacement(Destination, TimeProvider.System).RecoverAndClean();

        Assert.False(Directory.Exists(reused));
    }

    [Fact]
    public void RecoverAndClean_SetAsideFolderOfALiveRunBetweenItsRenames_IsLeftAlone()
    {
        // A live run has renamed the old bundle aside and not yet renamed the new one in: the destination is missing.
        var aside = Leftover("previous", Environment.ProcessId, BundleReplacement.StartSeconds(System.Diagnostics.Process.GetCurrentProcess()));
        Bundle(aside, "old");

        var done = new BundleReplacement(Destination, TimeProvider.System).RecoverAndClean();

        Assert.Empty(done);
        Assert.True(Directory.Exists(aside));
        Assert.False(Directory.Exists(Destination));
    }

    [Fact]
    public void RecoverAndClean_FoldersWithoutOwnerOrFromAnotherHost_AreStaleOnlyWhenOld()
    {
        var legacyOld = Path.Combine(work.FullName, "int8.partial-0badf00d");
        var legacyRecent = Path.Combine(work.FullName, "int8.partial-1badf00d");
        var otherHostOld = Path.Combine(work.FullName, $"int8.partial-{BundleReplacement.OwnerToken("2badf00d", 1, 0, "another-host")}");
        var otherHostRecent = Path.Combine(work.FullName, $"int8.partial-{BundleReplacement.OwnerToken("3badf00d", 1, 0, "another-host")}");
        foreach (var folder in new[] { legacyOld, legacyRecent, otherHostOld, otherHostRecent })
        {
            Bundle(folder, "x");
        }

        Directory.SetLastWriteTimeUtc(legacyOld, DateTime.UtcNow - BundleReplacement.OrphanAge - TimeSpan.FromHours(1));
        Directory.SetLastWriteTimeUtc(otherHostOld, DateTime.UtcNow - BundleReplacement.OrphanAge - TimeSpan.FromHours(1));

        new BundleReplacement(Destination, TimeProvider.System).RecoverAndClean();

        Assert.Equal([legacyRecent, otherHostRecent], Directory.GetDirectories(work.FullName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void RecoverAndClean_LeftoversOfAnotherDestination_AreNotTouched()
    {
        var other = Path.Combine(work.FullName, $"int8-cpu.partial-{BundleReplacement.OwnerToken("0badf00d", DeadPid, 0, Environment.MachineName)}");
        var lookalike = Path.Combine(work.FullName, "int8.partial-notours");
        Bundle(other, "x");
        Bundle(lookalike, "x");

        var done = new BundleReplacement(Destination, TimeProvider.System).RecoverAndClean();

        Assert.Empty(done);
        Assert.True(Directory.Exists(other));
        Assert.True(Directory.Exists(lookalike));
    }

    private string Leftover(string kind, int pid, long started = 0) =>
        Path.Combine(work.FullName, $"int8.{kind}-{BundleReplacement.OwnerToken("0badf00d", pid, started, Environment.MachineName)}");

    private static void Bundle(string folder, string content)
    {
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "manifest.json"), content);
    }

    private static string Content(string folder) => File.ReadAllText(Path.Combine(folder, "manifest.json"));
}
