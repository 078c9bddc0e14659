using Edge.Tools.Evaluation.Datasets;

namespace Edge.Tools.Tests.Evaluation.Datasets;

/// <summary>
/// The COCO reader on the committed fixture (Fixtures/datasets/coco: image 1 with two "person" boxes and a crowd
/// "car", image 2 without annotations, image 3 stored beside the JSON instead of in images/) and on broken files.
/// </summary>
public sealed class CocoDatasetTests : IDisposable
{
    private const string Categories = """[{ "id": 1, "name": "person" }, { "id": 2, "name": "car" }]""";

    private readonly TemporaryDataset temporary = new();

    public void Dispose() => temporary.Dispose();

    private static LabeledDataset Fixture() => DatasetReader.Read(TemporaryDataset.Fixture("coco/instances.json"));

    private string WriteJson(string images, string annotations = "[]", string categories = Categories) =>
        temporary.WriteText("instances.json", $$"""{ "images": {{images}}, "annotations": {{annotations}}, "categories": {{categories}} }""");

    [Fact]
    public void Read_Fixture_LabelsAreDistinctCategoryNamesIncludingCrowd()
    {
        var image = Fixture().Images[0];

        Assert.Equal(["person", "car"], image.Labels);
        Assert.Empty(image.IgnoredLabels);
    }

    [Fact]
    public void Read_ImageWithoutAnnotations_IsKeptWithNoLabels()
    {
        var dataset = Fixture();

        Assert.Equal(3, dataset.Images.Count);
        Assert.Empty(dataset.Images[1].Labels);
    }

    [Fact]
    public void Read_Fixture_LabelNamesHoldOnlyCategoriesThatAppear()
    {
        Assert.Equal(["bicycle", "car", "person"], Fixture().LabelNames);
    }

    [Fact]
    public void Read_ImageBesideJsonOrInImagesFolder_IsFound()
    {
        var dataset = Fixture();

        Assert.Equal(TemporaryDataset.Fixture("coco/images/000001.png"), dataset.Images[0].ImagePath);
        Assert.Equal(TemporaryDataset.Fixture("coco/beside.png"), dataset.Images[2].ImagePath);
        Assert.All(dataset.Images, image => Assert.Null(image.Slice));
    }

    [Fact]
    public void Read_ImageBothBesideJsonAndInImagesFolder_PrefersBesideJson()
    {
        var beside = temporary.WriteImage("a.png");
        temporary.WriteImage("images/a.png");
        var path = WriteJson("""[{ "id": 1, "file_name": "a.png" }]""");

        Assert.Equal(beside, DatasetReader.Read(path).Images.Single().ImagePath);
    }

    [Fact]
    public void Read_ImagesDirectoryGiven_LooksOnlyThere()
    {
        temporary.WriteImage("a.png");
        var path = WriteJson("""[{ "id": 1, "file_name": "a.png" }]""");
        var pictures = temporary.PathOf("pictures");
        Directory.CreateDirectory(pictures);

        DatasetAssert.ReadFails(path, null, pictures, "images[0] image 'a.png' does not exist", Path.Combine(pictures, "a.png"));
    }

    [Fact]
    public void Read_MissingImage_ThrowsNamingItAndEveryPlaceLooked()
    {
        var path = WriteJson("""[{ "id": 7, "file_name": "val/missing.png" }]""");

        DatasetAssert.ReadFails(
            path, null, null,
            $"{path}: images[0] image 'val/missing.png' does not exist",
            temporary.PathOf("val/missing.png"),
            temporary.PathOf("images/val/missing.png"));
    }

    [Fact]
    public void Read_AnnotationWithUnknownImageId_Throws()
    {
        temporary.WriteImage("a.png");
        var path = WriteJson("""[{ "id": 1, "file_name": "a.png" }]""", """[{ "image_id": 1, "category_id": 1 }, { "image_id": 9, "category_id": 1 }]""");

        DatasetAssert.ReadFails(path, null, null, $"{path}: annotations[1] has image_id 9: expected the id of an entry in 'images'");
    }

    [Fact]
    public void Read_AnnotationWithUnknownCategoryId_Throws()
    {
        temporary.WriteImage("a.png");
        var path = WriteJson("""[{ "id": 1, "file_name": "a.png" }]""", """[{ "image_id": 1, "category_id": 5 }]""");

        DatasetAssert.ReadFails(path, null, null, $"{path}: annotations[0] has category_id 5: expected the id of an entry in 'categories'");
    }

    [Theory]
    [InlineData("""{ "annotations": [], "categories": [] }""", "has no 'images' array")]
    [InlineData("""{ "images": [], "categories": [] }""", "has no 'annotations' array")]
    [InlineData("""{ "images": [], "annotations": [] }""", "has no 'categories' array")]
    [InlineData("""{ "images": {}, "annotations": [], "categories": [] }""", "has no 'images' array")]
    [InlineData("""{ "images": [{ "id": 1 }], "annotations": [], "categories": [] }""", "images[0] has no 'file_name'")]
    [InlineData("""{ "images": [{ "file_name": "a.png" }], "annotations": [], "categories": [] }""", "images[0] has no 'id'")]
    [InlineData("""{ "images": [{ "id": "1", "file_name": "a.png" }], "annotations": [], "categories": [] }""", "images[0].id is \"1\": expected an integer id")]
    [InlineData("""{ "images": [{ "id": 1, "file_name": "" }], "annotations": [], "categories": [] }""", "images[0].file_name is \"\": expected a non-empty string")]
    [InlineData("""{ "images": [], "annotations": [], "categories": [{ "id": 1 }] }""", "categories[0] has no 'name'")]
    [InlineData("""{ "images": [], "annotations": [], "categories": [7] }""", "categories[0] is 7: expected an object")]
    [InlineData("""{ "images": [{ "id": 1, "file_name": "a.png" }], "annotations": [{ "category_id": 1 }], "categories": [{ "id": 1, "name": "cat" }] }""", "annotations[0] has no 'image_id'")]
    [InlineData("""{ "images": [{ "id": 1, "file_name": "a.png" }], "annotations": [{ "image_id": 1 }], "categories": [{ "id": 1, "name": "cat" }] }""", "annotations[0] has no 'category_id'")]
    [InlineData("""[]""", "the top level is an array")]
    public void Read_MissingOrWrongRequiredKey_ThrowsNamingIt(string json, string expected)
    {
        temporary.WriteImage("a.png");
        var path = temporary.WriteText("instances.json", json);

        DatasetAssert.ReadFails(path, null, null, path, expected);
    }

    [Fact]
    public void Read_RepeatedImageId_Throws()
    {
        temporary.WriteImage("a.png");
        temporary.WriteImage("b.png");
        var path = WriteJson("""[{ "id": 1, "file_name": "a.png" }, { "id": 1, "file_name": "b.png" }]""");

        DatasetAssert.ReadFails(path, null, null, "images[1] repeats image id 1");
    }

    [Fact]
    public void Read_InvalidJson_ThrowsWithLine()
    {
        var path = temporary.WriteText("instances.json", "{\n  \"images\": [\n    { \"id\": 1, }\n");

        DatasetAssert.ReadFails(path, null, null, $"{path}:3: not valid JSON");
    }

    [Fact]
    public void Read_NoImages_ThrowsEmptyDataset()
    {
        var path = WriteJson("[]");

        DatasetAssert.ReadFails(path, null, null, $"{path} has no images");
    }
}
