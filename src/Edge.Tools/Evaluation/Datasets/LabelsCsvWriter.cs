using System.Text;

namespace Edge.Tools.Evaluation.Datasets;

/// <summary>
/// Writes a dataset as <c>labels.csv</c> (<c>image,labels,slice</c>, absolute image paths, labels separated by ';'),
/// the one format the training recipe reads. Labels that VOC marks difficult-only are left out (they are neither
/// positive nor negative there, and the CSV format cannot say "ignore"). Written to a temporary file and renamed.
/// </summary>
public static class LabelsCsvWriter
{
    public static string Write(LabeledDataset dataset, string directory)
    {
        Directory.CreateDirectory(directory);
        var text = new StringBuilder("image,labels,slice\n");
        foreach (var image in dataset.Images)
        {
            text.Append(Quote(image.ImagePath)).Append(',')
                .Append(Quote(string.Join(';', image.Labels))).Append(',')
                .Append(Quote(image.Slice ?? string.Empty)).Append('\n');
        }

        var path = Path.Combine(directory, "labels.csv");
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, text.ToString());
        File.Move(temporary, path, overwrite: true);
        return path;
    }

    private static string Quote(string field) =>
        field.IndexOfAny([',', '"', '\n', '\r']) < 0 ? field : "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
