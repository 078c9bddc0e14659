namespace Edge.Tools.Evaluation.Datasets;

/// <summary>
/// Reads a CSV dataset (the format <c>edge dataset</c> writes and the training recipe reads): a header starting with
/// <c>image,labels</c>, more columns allowed, an optional <c>slice</c> column naming each image's subset; labels
/// separated by ';' (may be none); image paths absolute or relative to the CSV's folder.
/// </summary>
internal static class CsvDatasetReader
{
    private const string ImageColumn = "image";
    private const string LabelsColumn = "labels";
    private const string SliceColumn = "slice";

    public static LabeledDataset Read(string csvPath, string? imagesDirectory)
    {
        var records = CsvParser.Parse(DatasetFile.Load(csvPath, File.ReadAllText), csvPath);
        if (records.Count == 0)
        {
            throw new DatasetException($"{csvPath} is empty: expected a header '{ImageColumn},{LabelsColumn}' and one row per image");
        }

        var header = records[0];
        var columns = header.Fields.Select(name => name.Trim()).ToArray();
        if (columns.Length < 2 || !IsColumn(columns[0], ImageColumn) || !IsColumn(columns[1], LabelsColumn))
        {
            throw new DatasetException(
                $"{csvPath}:{header.Line}: header is '{string.Join(',', columns)}': expected it to start with '{ImageColumn},{LabelsColumn}' (more columns, such as '{SliceColumn}', may follow)");
        }

        var slice = Array.FindIndex(columns, name => IsColumn(name, SliceColumn));
        var imageRoot = imagesDirectory ?? Path.GetDirectoryName(csvPath)!;
        var firstLineOf = new Dictionary<string, int>(StringComparer.Ordinal);
        var images = new List<LabeledImage>(records.Count - 1);
        foreach (var record in records.Skip(1))
        {
            var fields = record.Fields;
            if (fields.Length != columns.Length)
            {
                throw new DatasetException(
                    $"{csvPath}:{record.Line}: {fields.Length} field(s): expected {columns.Length} like the header ({string.Join(',', columns)}); quote a field that holds a comma");
            }

            var name = fields[0].Trim();
            if (name.Length == 0)
            {
                throw new DatasetException($"{csvPath}:{record.Line}: the '{ImageColumn}' field is empty: expected an image path");
            }

            var imagePath = DatasetFile.ImagePath(imageRoot, name, $"{csvPath}:{record.Line}");
            if (!File.Exists(imagePath))
            {
                throw new DatasetException($"{csvPath}:{record.Line}: image '{name}' does not exist: expected a file at {imagePath}");
            }

            if (!firstLineOf.TryAdd(imagePath, record.Line))
            {
                throw new DatasetException($"{csvPath}:{record.Line}: image '{name}' is listed again (first on line {firstLineOf[imagePath]}): expected each image once");
            }

            var labels = new LabelCollector();
            foreach (var label in fields[1].Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                labels.Add(label);
            }

            var sliceName = slice < 0 ? null : fields[slice].Trim();
            images.Add(new LabeledImage(imagePath, labels.ToArray(), [], string.IsNullOrEmpty(sliceName) ? null : sliceName));
        }

        if (images.Count == 0)
        {
            throw new DatasetException($"{csvPath} has a header but no rows: expected one row per image");
        }

        return new LabeledDataset(csvPath, "csv", images);
    }

    private static bool IsColumn(string name, string expected) => string.Equals(name, expected, StringComparison.OrdinalIgnoreCase);
}
