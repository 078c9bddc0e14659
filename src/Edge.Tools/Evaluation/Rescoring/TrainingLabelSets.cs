using Edge.Tools.Evaluation.Datasets;

namespace Edge.Tools.Evaluation.Rescoring;

/// <summary>
/// The label sets of a training <c>labels.csv</c> (the CSV dataset format), for counting co-occurrence: only the
/// <c>labels</c> column is read (';'-separated names, may be empty), so the images need not be on this machine.
/// </summary>
public static class TrainingLabelSets
{
    private const string LabelsColumn = "labels";

    /// <summary>One set of label indices (into <paramref name="labels"/>, each once) per row of <paramref name="csvPath"/>.</summary>
    public static List<IReadOnlyList<int>> Read(string csvPath, IReadOnlyList<string> labels)
    {
        if (!File.Exists(csvPath))
        {
            throw new DatasetException($"training labels '{csvPath}' do not exist: expected a labels.csv (header with a '{LabelsColumn}' column) of the data the model was trained on");
        }

        var records = CsvParser.Parse(DatasetFile.Load(csvPath, File.ReadAllText), csvPath);
        if (records.Count == 0)
        {
            throw new DatasetException($"{csvPath} is empty: expected a header with a '{LabelsColumn}' column and one row per training image");
        }

        var header = records[0];
        var column = Array.FindIndex(header.Fields, name => string.Equals(name.Trim(), LabelsColumn, StringComparison.OrdinalIgnoreCase));
        if (column < 0)
        {
            throw new DatasetException($"{csvPath}:{header.Line}: header is '{string.Join(',', header.Fields)}': expected a '{LabelsColumn}' column");
        }

        var indexOf = labels.Select((name, index) => (name, index)).ToDictionary(p => p.name, p => p.index, StringComparer.Ordinal);
        var sets = new List<IReadOnlyList<int>>(records.Count - 1);
        foreach (var record in records.Skip(1))
        {
            if (record.Fields.Length != header.Fields.Length)
            {
                throw new DatasetException($"{csvPath}:{record.Line}: {record.Fields.Length} field(s): expected {header.Fields.Length} like the header; quote a field that holds a comma");
            }

            var set = new List<int>();
            foreach (var name in record.Fields[column].Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                if (!indexOf.TryGetValue(name, out var index))
                {
                    throw new DatasetException($"{csvPath}:{record.Line}: label '{name}' is not one of the model's labels: expected names from {string.Join(", ", labels)}");
                }

                if (!set.Contains(index))
                {
                    set.Add(index);
                }
            }

            sets.Add(set);
        }

        if (sets.Count == 0)
        {
            throw new DatasetException($"{csvPath} has a header but no rows: expected one row per training image");
        }

        return sets;
    }
}
