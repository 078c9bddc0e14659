using System.Diagnostics;
using Edge.Camera.Sources;

namespace Edge.Tools.Evaluation.Datasets;

/// <summary>
/// Reads a multi-label image classification dataset for <c>edge eval</c>: a CSV (<c>image,labels[,slice]</c>), a COCO
/// instances JSON or a Pascal VOC folder. Every image must exist when the dataset is read, so a broken dataset fails
/// before the model runs rather than halfway through.
/// </summary>
public static class DatasetReader
{
    /// <summary>The file a folder given as a CSV dataset must hold.</summary>
    internal const string CsvLabelsFile = "labels.csv";

    public static readonly IReadOnlyList<string> Formats = ["csv", "coco", "voc"];

    /// <summary>Reads the dataset at <paramref name="path"/>.</summary>
    /// <param name="path">A CSV file or a folder with <c>labels.csv</c>, a COCO JSON file, or a VOC folder (with <c>Annotations/</c>).</param>
    /// <param name="format">One of <see cref="Formats"/>, or null to tell it from <paramref name="path"/>.</param>
    /// <param name="imagesDirectory">
    /// Where the images are, overriding each format's default: the CSV's folder, the COCO JSON's folder (then its
    /// <c>images/</c> subfolder), the VOC folder's <c>JPEGImages/</c>.
    /// </param>
    /// <exception cref="DatasetException">The path, format, file contents or an image is not what was expected.</exception>
    public static LabeledDataset Read(string path, string? format = null, string? imagesDirectory = null)
    {
        var chosenFormat = format is null ? null : ParseFormat(format);
        if (string.IsNullOrWhiteSpace(path))
        {
            throw new DatasetException("no dataset path given: expected a CSV file, a folder with labels.csv, a COCO JSON file or a VOC folder");
        }

        if (UserPath.HasNul(path))
        {
            throw new DatasetException($"dataset path '{UserPath.Printable(path)}' holds a NUL byte: expected a CSV file, a folder with {CsvLabelsFile}, a COCO JSON file or a VOC folder");
        }

        if (imagesDirectory is not null && UserPath.HasNul(imagesDirectory))
        {
            throw new DatasetException($"images folder '{UserPath.Printable(imagesDirectory)}' holds a NUL byte: expected the folder that holds the dataset's images");
        }

        var fullPath = Path.GetFullPath(path);
        if (!File.Exists(fullPath) && !Directory.Exists(fullPath))
        {
            throw new DatasetException($"dataset '{fullPath}' does not exist: expected a CSV file, a folder with {CsvLabelsFile}, a COCO JSON file or a VOC folder");
        }

        var fullImagesDirectory = imagesDirectory is null ? null : Path.GetFullPath(imagesDirectory);
        if (fullImagesDirectory is not null && !Directory.Exists(fullImagesDirectory))
        {
            throw new DatasetException($"images folder '{fullImagesDirectory}' does not exist: expected the folder that holds the dataset's images");
        }

        return (chosenFormat ?? Detect(fullPath)) switch
        {
            "csv" => CsvDatasetReader.Read(CsvFileOf(fullPath), fullImagesDirectory),
            "coco" => CocoDatasetReader.Read(RequireFile(fullPath, "coco", "a COCO instances JSON file"), fullImagesDirectory),
            "voc" => VocDatasetReader.Read(RequireVocFolder(fullPath), fullImagesDirectory),
            var other => throw new UnreachableException($"format '{other}' is in Formats but has no reader"),
        };
    }

    private static string ParseFormat(string format)
    {
        foreach (var known in Formats)
        {
            if (string.Equals(known, format.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                return known;
            }
        }

        throw new DatasetException($"unknown dataset format '{format}': expected one of {string.Join(", ", Formats)}");
    }

    private static string Detect(string fullPath)
    {
        if (File.Exists(fullPath))
        {
            var extension = Path.GetExtension(fullPath);
            if (extension.Equals(".csv", StringComparison.OrdinalIgnoreCase))
            {
                return "csv";
            }

            if (extension.Equals(".json", StringComparison.OrdinalIgnoreCase))
            {
                return "coco";
            }

            throw new DatasetException($"cannot tell the format of dataset file '{fullPath}' from its extension: expected .csv or .json, or pass --format {string.Join("|", Formats)}");
        }

        if (File.Exists(Path.Combine(fullPath, CsvLabelsFile)))
        {
            return "csv";
        }

        if (Directory.Exists(Path.Combine(fullPath, VocDatasetReader.AnnotationsFolder)))
        {
            return "voc";
        }

        throw new DatasetException(
            $"cannot tell the format of dataset folder '{fullPath}': expected {CsvLabelsFile} (csv) or {VocDatasetReader.AnnotationsFolder}/ (voc) in it (give a COCO JSON as the file itself), or pass --format {string.Join("|", Formats)}");
    }

    private static string CsvFileOf(string fullPath)
    {
        if (File.Exists(fullPath))
        {
            return fullPath;
        }

        var labels = Path.Combine(fullPath, CsvLabelsFile);
        return File.Exists(labels)
            ? labels
            : throw new DatasetException($"dataset folder '{fullPath}' has no {CsvLabelsFile}: expected a CSV file or a folder holding {CsvLabelsFile} for --format csv");
    }

    private static string RequireFile(string fullPath, string format, string expected) =>
        File.Exists(fullPath)
            ? fullPath
            : throw new DatasetException($"dataset '{fullPath}' is a folder: expected {expected} for --format {format}");

    private static string RequireVocFolder(string fullPath) =>
        Directory.Exists(Path.Combine(fullPath, VocDatasetReader.AnnotationsFolder))
            ? fullPath
            : throw new DatasetException($"dataset '{fullPath}' has no {VocDatasetReader.AnnotationsFolder}/ folder: expected a Pascal VOC folder for --format voc");
}
