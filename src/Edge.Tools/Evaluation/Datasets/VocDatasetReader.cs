using System.Xml;
using System.Xml.Linq;

namespace Edge.Tools.Evaluation.Datasets;

/// <summary>
/// Reads a Pascal VOC folder as image-level labels: one <c>Annotations/*.xml</c> per image (all of them, sorted by file
/// name; <c>ImageSets/Main</c> split lists are not read), images in <c>JPEGImages/</c>.
/// </summary>
/// <remarks>
/// <c>difficult</c> follows VOC's classification protocol: a label with at least one non-difficult
/// <c>&lt;object&gt;</c> in an image is in <see cref="LabeledImage.Labels"/>; a label whose only objects in the image
/// are difficult is in <see cref="LabeledImage.IgnoredLabels"/>, so that image counts neither as a positive nor as a
/// negative for that label (VOC's ground truth marks it 0, "difficult", and its evaluation skips it). A missing
/// <c>&lt;difficult&gt;</c> means 0.
/// </remarks>
internal static class VocDatasetReader
{
    public const string AnnotationsFolder = "Annotations";
    public const string ImagesFolder = "JPEGImages";

    public static LabeledDataset Read(string folder, string? imagesDirectory)
    {
        var annotations = Path.Combine(folder, AnnotationsFolder);
        var files = DatasetFile.Load(annotations, directory => Directory.GetFiles(directory, "*.xml", new EnumerationOptions { MatchCasing = MatchCasing.CaseInsensitive }));
        Array.Sort(files, StringComparer.Ordinal);
        if (files.Length == 0)
        {
            throw new DatasetException($"{annotations} has no .xml files: expected one Pascal VOC annotation per image");
        }

        var imageRoot = imagesDirectory ?? Path.Combine(folder, ImagesFolder);
        var images = new LabeledImage[files.Length];
        for (var i = 0; i < files.Length; i++)
        {
            images[i] = ReadAnnotation(files[i], imageRoot);
        }

        return new LabeledDataset(folder, "voc", images);
    }

    private static LabeledImage ReadAnnotation(string file, string imageRoot)
    {
        var root = Load(file).Root!;
        if (root.Name.LocalName != "annotation")
        {
            throw new DatasetException($"{file}:{LineOf(root)}: root element is <{root.Name.LocalName}>: expected <annotation>");
        }

        var fileName = root.Element("filename")?.Value.Trim();
        if (string.IsNullOrEmpty(fileName))
        {
            throw new DatasetException($"{file}:{LineOf(root)}: <annotation> has no <filename>: expected the image's file name");
        }

        var present = new LabelCollector();
        var difficult = new LabelCollector();
        foreach (var item in root.Elements("object"))
        {
            var name = item.Element("name")?.Value.Trim();
            if (string.IsNullOrEmpty(name))
            {
                throw new DatasetException($"{file}:{LineOf(item)}: <object> has no <name>: expected the object's class name");
            }

            (IsDifficult(file, item) ? difficult : present).Add(name);
        }

        var imagePath = DatasetFile.ImagePath(imageRoot, fileName, file);
        if (!File.Exists(imagePath))
        {
            throw new DatasetException($"{file}: image '{fileName}' named by <filename> does not exist: expected a file at {imagePath}");
        }

        var ignored = difficult.ToArray().Where(name => !present.Contains(name)).ToArray();
        return new LabeledImage(imagePath, present.ToArray(), ignored, null);
    }

    private static XDocument Load(string file)
    {
        try
        {
            return DatasetFile.Load(file, path => XDocument.Load(path, LoadOptions.SetLineInfo));
        }
        catch (XmlException exception)
        {
            throw new DatasetException($"{file}:{exception.LineNumber}: not well-formed XML: {exception.Message}", exception);
        }
    }

    private static bool IsDifficult(string file, XElement item)
    {
        var element = item.Element("difficult");
        return element?.Value.Trim() switch
        {
            null or "0" => false,
            "1" => true,
            var other => throw new DatasetException($"{file}:{LineOf(element!)}: <difficult> is '{other}': expected 0 or 1"),
        };
    }

    private static int LineOf(XElement element) => ((IXmlLineInfo)element).LineNumber;
}
