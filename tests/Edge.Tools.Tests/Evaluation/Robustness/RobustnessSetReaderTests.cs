using System.Text.Json.Nodes;
using Edge.Tools.Evaluation.Datasets;
using Edge.Tools.Evaluation.Robustness;

namespace Edge.Tools.Tests.Evaluation.Robustness;

/// <summary>Reading robustness sets rendered with the MultiFashion renderer, and every way a set can be broken.</summary>
public sealed class RobustnessSetReaderTests : IDisposable
{
    private readonly RobustnessSetFolder set = RobustnessSetFolder.Render(3);

    [Fact]
    public void Read_RenderedSet_ReadsTheIndexAndEveryFamilyInOrder()
    {
        var read = RobustnessSetReader.Read(set.Path);

        Assert.Equal(Path.GetFullPath(set.Path), read.Directory);
        Assert.Equal(("test", RobustnessSetFolder.Seed, 3, RobustnessSetFolder.Size), (read.Split, read.Seed, read.Count, read.Size));
        Assert.Equal(RobustnessSetFolder.DefaultFamilies, read.Families.Select(f => (f.Name, f.Kind)).ToArray());
        Assert.Equal("clean", read.Clean.Name);
        Assert.All(read.Families, family => Assert.Equal(3, family.Dataset.Images.Count));
        Assert.Equal(Path.Combine(set.FolderOf("tint"), "labels.csv"), read.Families[1].Dataset.Source);
        Assert.Equal("tint scenes", read.Families[1].Description);
        Assert.Equal(1, JsonNode.Parse(read.Families[1].Parameters)!["seed_offset"]!.GetValue<int>());
        Assert.Equal(12, read.ImageCount);
    }

    [Fact]
    public void Read_Limit_KeepsTheFirstImagesOfEachFamily()
    {
        var all = RobustnessSetReader.Read(set.Path);

        var limited = RobustnessSetReader.Read(set.Path, limit: 2);

        for (var i = 0; i < all.Families.Count; i++)
        {
            Assert.Equal(all.Families[i].Dataset.Images.Take(2).Select(image => image.ImagePath), limited.Families[i].Dataset.Images.Select(image => image.ImagePath));
        }

        Assert.Equal(8, limited.ImageCount);
    }

    [Fact]
    public void IsShifted_ByKind_OnlyAppearanceGeometryAndMix()
    {
        var kinds = RobustnessSetReader.Read(set.Path).Families.ToDictionary(f => f.Kind, f => f.IsShifted);

        Assert.Equal(new Dictionary<string, bool> { ["clean"] = false, ["appearance"] = true, ["geometry"] = true, ["context"] = false }, kinds);
    }

    [Fact]
    public void Read_MissingFolder_NamesItAndWhatWasExpected()
    {
        var missing = Path.Combine(set.Path, "nowhere");

        var error = Assert.Throws<DatasetException>(() => RobustnessSetReader.Read(missing));

        Assert.Equal($"robustness set '{missing}' does not exist: expected a folder written by 'edge dataset multifashion --robustness', holding robustness.json", error.Message);
    }

    [Fact]
    public void Read_MissingIndex_NamesRobustnessJson()
    {
        File.Delete(set.IndexPath);

        var error = Assert.Throws<DatasetException>(() => RobustnessSetReader.Read(set.Path));

        Assert.Contains("has no robustness.json", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_IndexThatIsNotJson_NamesTheFileAndLine()
    {
        File.WriteAllText(set.IndexPath, "{\n\"format\": \"edge-robustness-set/1\",\n oops }");

        var error = Assert.Throws<DatasetException>(() => RobustnessSetReader.Read(set.Path));

        Assert.StartsWith($"{set.IndexPath}:3: not valid JSON", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_IndexThatCannotBeRead_SaysSo()
    {
        File.Delete(set.IndexPath);
        Directory.CreateDirectory(set.IndexPath);

        var error = Assert.Throws<DatasetException>(() => RobustnessSetReader.Read(set.Path));

        Assert.StartsWith($"cannot read {set.IndexPath}", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\"edge-robustness-set/2\"", "'format' is \"edge-robustness-set/2\"")]
    [InlineData("null", "'format' is null")]
    [InlineData(null, "it has no 'format'")]
    public void Read_WrongFormat_NamesWhatWasFoundAndTheExpectedFormat(string? format, string found)
    {
        set.Index.Remove("format");
        if (format is not null)
        {
            set.Index["format"] = JsonNode.Parse(format);
        }

        set.WriteIndex();

        var error = Assert.Throws<DatasetException>(() => RobustnessSetReader.Read(set.Path));

        Assert.Equal($"{set.IndexPath}: {found}: expected \"edge-robustness-set/1\" (a robustness set index written by 'edge dataset multifashion --robustness')", error.Message);
    }

    [Fact]
    public void Read_TopLevelArray_IsRefused()
    {
        File.WriteAllText(set.IndexPath, "[]");

        var error = Assert.Throws<DatasetException>(() => RobustnessSetReader.Read(set.Path));

        Assert.Contains("the top level is an array: expected an object", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("seed", "-1", "the index's 'seed' is -1: expected a non-negative integer")]
    [InlineData("count", "\"many\"", "the index's 'count' is \"many\": expected an integer from 1")]
    [InlineData("size", "0", "the index's 'size' is 0: expected an integer from 1")]
    [InlineData("split", "3", "the index's 'split' is 3: expected a non-empty string")]
    public void Read_BadIndexField_NamesTheField(string field, string value, string expected)
    {
        set.Index[field] = JsonNode.Parse(value);
        set.WriteIndex();

        var error = Assert.Throws<DatasetException>(() => RobustnessSetReader.Read(set.Path));

        Assert.Equal($"{set.IndexPath}: {expected}", error.Message);
    }

    [Fact]
    public void Read_NoFamilies_SaysTheCleanFamilyIsNeeded()
    {
        set.Families.Clear();
        set.WriteIndex();

        var error = Assert.Throws<DatasetException>(() => RobustnessSetReader.Read(set.Path));

        Assert.Equal($"{set.IndexPath} lists no families: expected at least the clean family", error.Message);
    }

    [Fact]
    public void Read_FirstFamilyNotClean_NamesItAndWhy()
    {
        set.Families.RemoveAt(0);
        set.WriteIndex();

        var error = Assert.Throws<DatasetException>(() => RobustnessSetReader.Read(set.Path));

        Assert.Equal($"{set.IndexPath}: the first family is 'tint' of kind 'appearance': expected the clean family first, since every other family is compared with it", error.Message);
    }

    [Fact]
    public void Read_MissingFamilyFolder_NamesTheFamilyAndTheFolder()
    {
        Directory.Delete(set.FolderOf("tint"), recursive: true);

        var error = Assert.Throws<DatasetException>(() => RobustnessSetReader.Read(set.Path));

        Assert.StartsWith($"robustness family 'tint': folder '{set.FolderOf("tint")}' does not exist", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_FamilyWithoutImages_NamesTheFamily()
    {
        File.WriteAllText(Path.Combine(set.FolderOf("scale-small"), "labels.csv"), "image,labels\n");

        var error = Assert.Throws<DatasetException>(() => RobustnessSetReader.Read(set.Path));

        Assert.Equal($"robustness family 'scale-small': {Path.Combine(set.FolderOf("scale-small"), "labels.csv")} has a header but no rows: expected one row per image", error.Message);
    }

    [Fact]
    public void Read_FamilyFolderWithoutLabels_NamesTheFamily()
    {
        File.Delete(Path.Combine(set.FolderOf("tint"), "labels.csv"));

        var error = Assert.Throws<DatasetException>(() => RobustnessSetReader.Read(set.Path));

        Assert.StartsWith("robustness family 'tint': dataset folder", error.Message, StringComparison.Ordinal);
        Assert.Contains("has no labels.csv", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_UnknownKind_ListsTheKinds()
    {
        set.Families[2]!["kind"] = "weather";
        set.WriteIndex();

        var error = Assert.Throws<DatasetException>(() => RobustnessSetReader.Read(set.Path));

        Assert.Equal($"{set.IndexPath}: families[2] ('scale-small') has kind 'weather': expected one of clean, appearance, geometry, context, mix", error.Message);
    }

    [Fact]
    public void Read_RepeatedFamilyName_NamesBothEntries()
    {
        set.Families[3]!["name"] = "tint";
        set.WriteIndex();

        var error = Assert.Throws<DatasetException>(() => RobustnessSetReader.Read(set.Path));

        Assert.Equal($"{set.IndexPath}: families[3] repeats the family name 'tint' (first at families[1]): expected each family once", error.Message);
    }

    [Theory]
    [InlineData("../outside")]
    [InlineData("/tmp")]
    public void Read_FolderOutsideTheSet_IsRefused(string folder)
    {
        set.Families[1]!["folder"] = folder;
        set.WriteIndex();

        var error = Assert.Throws<DatasetException>(() => RobustnessSetReader.Read(set.Path));

        Assert.StartsWith($"{set.IndexPath}: families[1] ('tint') has folder '{folder}': expected a folder", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_FamilyWithoutName_NamesTheEntry()
    {
        set.Families[1]!.AsObject().Remove("name");
        set.WriteIndex();

        var error = Assert.Throws<DatasetException>(() => RobustnessSetReader.Read(set.Path));

        Assert.Equal($"{set.IndexPath}: families[1] has no 'name': expected a non-empty string", error.Message);
    }

    public void Dispose() => set.Dispose();
}
