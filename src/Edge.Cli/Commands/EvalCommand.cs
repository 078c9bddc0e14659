using System.CommandLine;
using System.Globalization;
using Edge.Camera.Sources.OpenCv;
using Edge.Cli.Configuration;
using Edge.Runtime.Bundles;
using Edge.Runtime.Inference;
using Edge.Tools.Evaluation;
using Edge.Tools.Evaluation.Datasets;
using Edge.Tools.Evaluation.Robustness;

namespace Edge.Cli.Commands;

/// <summary>
/// <c>edge eval</c>: a bundle's multi-label metrics on a labelled dataset (CSV, COCO or VOC), or on every family of a
/// robustness set with each family's gap to the clean one.
/// </summary>
internal static class EvalCommand
{
    public static Command Create(Option<bool> verbose)
    {
        var data = new Option<string?>("--data") { Description = "Dataset: a CSV file or folder with labels.csv, a COCO instances JSON, or a VOC folder" };
        var robustness = new Option<string?>("--robustness") { Description = "Robustness set: a folder with robustness.json and one labels.csv folder per family (edge dataset multifashion --robustness); reports each family and its gap to clean" };
        var format = new Option<string?>("--format") { Description = "csv | coco | voc (default: detected from the path); with --data" };
        format.AcceptOnlyFromAmong([.. DatasetReader.Formats]);
        var images = new Option<string?>("--images") { Description = "Folder holding the images, when not beside the annotations; with --data" };
        var json = new Option<string?>("--json") { Description = "Write the metrics as JSON to this file (- for stdout)" };
        var tune = new Option<bool>("--tune-thresholds") { Description = "Choose per-label thresholds on this dataset, or on all families of a robustness set pooled (use a validation split, not the test split)" };
        var report = new Option<string?>("--report") { Description = "Write PNG charts, activation-map overlays and summary.md into this folder; with --data" };
        var plot = new Option<string?>("--plot") { Description = "Write an SVG chart of mAP and OF1 per family, against the clean levels; with --robustness" };
        var limit = new Option<int?>("--limit") { Description = "Evaluate only the first N images of the dataset, or of each family" };
        var fitRescoring = new Option<string?>("--fit-rescoring") { Description = "Fit label-dependency re-scoring on this (validation) dataset from the label graph of this training labels.csv; with --data", HelpName = "TRAIN_LABELS_CSV" };
        var noRescoring = new Option<bool>("--no-rescoring") { Description = "Measure the model's own logits, ignoring the bundle's rescoring block" };
        var maxMegapixels = new Option<int>("--max-megapixels") { Description = $"Refuse images whose header states more megapixels, before decoding (default {ImageFile.DefaultMaxMegapixels}, at most {ImageFile.MaxMegapixelsLimit})", DefaultValueFactory = _ => ImageFile.DefaultMaxMegapixels };
        var write = new Option<bool>("--write") { Description = "With --tune-thresholds and/or --fit-rescoring: write what they chose into the bundle's manifest" };

        var shared = SettingFlags.For("model", "ep", "threads");
        var command = new Command("eval", "Measure a model on a labelled dataset or a robustness set: mAP, CP/CR/CF1, OP/OR/OF1, top-3, Hamming loss, subset accuracy, example F1, per label")
        {
            data, robustness, format, images, json, tune, write, report, plot, limit, maxMegapixels, fitRescoring, noRescoring,
        };
        foreach (var option in shared.Options)
        {
            command.Options.Add(option);
        }

        command.Validators.Add(result =>
        {
            var onSet = result.GetValue(robustness) is not null;
            if (onSet && result.GetValue(data) is not null)
            {
                result.AddError("--data and --robustness exclude each other: evaluate one dataset (--data) or one robustness set (--robustness DIR)");
            }
            else if (!onSet && result.GetValue(data) is null)
            {
                result.AddError("nothing to evaluate on: expected --data DATASET or --robustness DIR");
            }

            foreach (var (option, name) in new[] { (format, "--format"), (images, "--images") })
            {
                if (onSet && result.GetValue(option) is not null)
                {
                    result.AddError($"{name} goes with --data: the families of a robustness set are labels.csv folders");
                }
            }

            if (onSet && result.GetValue(report) is not null)
            {
                result.AddError("--report goes with --data: for a robustness set, --plot FILE.svg charts the families");
            }

            if (result.GetValue(plot) is not null && !onSet)
            {
                result.AddError("--plot needs --robustness: it charts mAP and OF1 per family of a robustness set");
            }
            else if (result.GetValue(plot) is { } svg && !svg.EndsWith(".svg", StringComparison.OrdinalIgnoreCase))
            {
                result.AddError($"--plot {svg}: expected a file name ending in .svg (the chart is an SVG)");
            }

            if (result.GetValue(limit) is < 1)
            {
                result.AddError($"--limit {result.GetValue(limit)} is invalid: expected 1 or more images");
            }

            if (result.GetValue(write) && !result.GetValue(tune) && result.GetValue(fitRescoring) is null)
            {
                result.AddError("--write needs --tune-thresholds or --fit-rescoring: it writes what they chose into the manifest");
            }

            if (result.GetValue(noRescoring) && result.GetValue(fitRescoring) is not null)
            {
                result.AddError("--no-rescoring and --fit-rescoring exclude each other: the fit starts from the model's own logits and reports both");
            }

            if (onSet && result.GetValue(fitRescoring) is not null)
            {
                result.AddError("--fit-rescoring goes with --data: fit on a validation dataset, then compare with --robustness and --no-rescoring");
            }
        });
        command.SetAction(parse => CommandRunner.Run(parse.GetValue(verbose), () =>
        {
            var imageLimit = parse.GetValue(maxMegapixels);
            if (imageLimit is < 1 or > ImageFile.MaxMegapixelsLimit)
            {
                throw new UserError(ExitCode.InvalidArguments, $"--max-megapixels {imageLimit} is invalid: expected 1 to {ImageFile.MaxMegapixelsLimit}");
            }

            var jsonPath = parse.GetValue(json);
            var plotPath = parse.GetValue(plot);
            RequireFolderOf(jsonPath, "--json");
            RequireFolderOf(plotPath, "--plot");
            var settings = shared.Read(parse).Resolve();
            var options = new EvalOptions(jsonPath, parse.GetValue(tune), parse.GetValue(write), imageLimit, parse.GetValue(limit), parse.GetValue(noRescoring), parse.GetValue(fitRescoring));
            return parse.GetValue(robustness) is { } set
                ? EvaluateSet(settings, set, plotPath, options)
                : EvaluateDataset(settings, DatasetReader.Read(parse.GetValue(data)!, parse.GetValue(format), parse.GetValue(images)), parse.GetValue(report), options);
        }));
        return command;
    }

    private static ExitCode EvaluateDataset(ResolvedRunSettings settings, LabeledDataset dataset, string? reportDirectory, EvalOptions options)
    {
        if (options.Limit is { } most && dataset.Images.Count > most)
        {
            dataset = dataset with { Images = [.. dataset.Images.Take(most)] };
        }

        var bundle = ModelBundle.Load(settings.Model);
        RefuseThresholdsWithoutRescoring(bundle, options);
        var training = options.FitRescoring is null ? null : EvalRescoring.Graphs(bundle, options.FitRescoring);
        using var session = ModelSession.Create(bundle, settings.Ep, settings.Threads, bindMaps: reportDirectory is not null && bundle.MapsName is not null);
        Console.Error.WriteLine($"evaluating {bundle.Name} ({bundle.Precision}, {session.Report.Active}) on {dataset.Images.Count} images of {dataset.Source} ({dataset.Format})");
        EvaluationResult result;
        using (var bar = new ProgressBar("evaluating", dataset.Images.Count))
        {
            result = Evaluator.Run(bundle, session, dataset, bar, maxMegapixels: options.MaxMegapixels, applyRescoring: !options.NoRescoring && training is null);
        }

        var rescoring = training is null ? null : EvalRescoring.Fit(bundle, dataset, result, training, options.JsonPath == "-" ? Console.Error : Console.Out);
        result = rescoring?.Result ?? result;

        var tuned = options.Tune ? Tune(bundle, result.Scores) : null;
        WriteJson(options.JsonPath, stream => EvaluationJson.Write(stream, result, bundle, dataset.Source, tuned), () =>
        {
            PrintTable(Console.Out, result);
            if (tuned is not null)
            {
                PrintThresholds(Console.Out, tuned);
            }
        });

        if (reportDirectory is not null)
        {
            Edge.Tools.Evaluation.Report.EvaluationReport.Write(reportDirectory, result, bundle, session, dataset, options.MaxMegapixels);
            Console.Error.WriteLine($"report written to {Path.Combine(reportDirectory, "summary.md")}");
        }

        if (rescoring is not null && options.Write)
        {
            EvalRescoring.Write(bundle, rescoring, dataset);
        }

        WriteThresholds(bundle, tuned, options, dataset.Source, dataset.Images.Count);
        return ExitCode.Success;
    }

    private static void RefuseThresholdsWithoutRescoring(ModelBundle bundle, EvalOptions options)
    {
        if (options.NoRescoring && options.Write && bundle.Rescoring is not null)
        {
            throw new UserError(ExitCode.InvalidArguments, $"--write with --no-rescoring would give model '{bundle.Name}' thresholds tuned without the rescoring block it applies: expected --tune-thresholds --write without --no-rescoring");
        }
    }

    private static ExitCode EvaluateSet(ResolvedRunSettings settings, string directory, string? plotPath, EvalOptions options)
    {
        // The whole set is read (every family's labels.csv and images checked) before the model loads.
        var set = RobustnessSetReader.Read(directory, options.Limit);
        var bundle = ModelBundle.Load(settings.Model);
        RefuseThresholdsWithoutRescoring(bundle, options);
        using var session = ModelSession.Create(bundle, settings.Ep, settings.Threads);
        Console.Error.WriteLine($"evaluating {bundle.Name} ({bundle.Precision}, {session.Report.Active}) on {set.Families.Count} families ({set.ImageCount} images) of robustness set {set.Directory}");
        RobustnessResult result;
        using (var bar = new ProgressBar("evaluating", set.ImageCount))
        {
            result = RobustnessEvaluator.Run(bundle, session, set, bar, maxMegapixels: options.MaxMegapixels, applyRescoring: !options.NoRescoring);
        }

        // Thresholds are chosen on every family at once: a validation mix of clean and shifted images.
        var tuned = options.Tune ? Tune(bundle, result.PooledScores()) : null;
        if (tuned is not null && set.Split == "test")
        {
            Console.Error.WriteLine("note: thresholds tuned on a test-split set make its metrics optimistic; tune on a set rendered with --split val");
        }

        WriteJson(options.JsonPath, stream => RobustnessJson.Write(stream, result, bundle, tuned), () =>
        {
            RobustnessTable.Write(Console.Out, result);
            if (tuned is not null)
            {
                PrintThresholds(Console.Out, tuned);
                Console.Out.WriteLine(FormattableString.Invariant($"(tuned on all {set.Families.Count} families pooled, {set.ImageCount} images)"));
            }
        });

        if (plotPath is not null)
        {
            RobustnessChart.Write(plotPath, result, bundle.Name);
            Console.Error.WriteLine($"plot written to {plotPath}");
        }

        WriteThresholds(bundle, tuned, options, $"robustness set {set.Directory}, all {set.Families.Count} families pooled", set.ImageCount);
        return ExitCode.Success;
    }

    private static IReadOnlyList<TunedThreshold> Tune(ModelBundle bundle, ScoreMatrix scores) =>
        ThresholdTuner.Tune(scores, bundle.Labels.Select(label => (double)label.On).ToArray());

    /// <summary>JSON alone on stdout for <c>--json -</c>; otherwise the table for people, and the JSON file when asked.</summary>
    private static void WriteJson(string? jsonPath, Action<Stream> writeJson, Action printTable)
    {
        if (jsonPath == "-")
        {
            using var stdout = Console.OpenStandardOutput();
            writeJson(stdout);
            stdout.WriteByte((byte)'\n');
            return;
        }

        printTable();
        if (jsonPath is not null)
        {
            using (var file = File.Create(jsonPath))
            {
                writeJson(file);
            }

            Console.Error.WriteLine($"metrics written to {jsonPath}");
        }
    }

    private static void WriteThresholds(ModelBundle bundle, IReadOnlyList<TunedThreshold>? tuned, EvalOptions options, string source, int images)
    {
        if (tuned is null || !options.Write)
        {
            return;
        }

        var how = ManifestThresholdWriter.Describe(source, images, TimeProvider.System.GetUtcNow());
        ManifestThresholdWriter.Write(bundle, tuned.Select(t => t.New).ToArray(), how);
        Console.Error.WriteLine($"tuned thresholds written to {Path.Combine(bundle.Directory, ModelBundle.ManifestFile)}");
    }

    /// <summary>An output file whose folder does not exist fails before the evaluation, not after it.</summary>
    private static void RequireFolderOf(string? path, string flag)
    {
        if (path is null or "-")
        {
            return;
        }

        var folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null && !Directory.Exists(folder))
        {
            throw new UserError(ExitCode.InvalidArguments, $"{flag} {path}: folder '{folder}' does not exist: expected a file in an existing folder");
        }
    }

    internal static void PrintThresholds(TextWriter output, IReadOnlyList<TunedThreshold> tuned)
    {
        output.WriteLine();
        output.WriteLine("label        threshold -> tuned     F1 -> tuned F1  positives");
        foreach (var t in tuned)
        {
            output.WriteLine(F($"{t.Label,-12}{t.Old,10:F2}{t.New,9:F2}{P(t.OldF1)}{P(t.NewF1),12}{t.Positives,11}"));
        }
    }

    internal static void PrintTable(TextWriter output, EvaluationResult result)
    {
        var m = result.Overall;
        output.WriteLine(F($"images {m.Images}; labels without positives (skipped): {(m.SkippedLabels.Count == 0 ? "none" : string.Join(", ", m.SkippedLabels))}"));
        output.WriteLine("slice        mAP     CP     CR    CF1     OP     OR    OF1  CF1@3  OF1@3  hamming  subset  ex-F1  images");
        SummaryRow(output, "all", m);
        foreach (var (name, slice) in result.Slices)
        {
            SummaryRow(output, name, slice);
        }

        output.WriteLine();
        output.WriteLine("label            AP   prec.  recall     F1  support");
        foreach (var label in m.PerLabel)
        {
            output.WriteLine(F($"{label.Label,-12}{P(label.Ap)}{P(label.Precision)}{P(label.Recall)}{P(label.F1)}{label.Support,9}"));
        }
    }

    private static void SummaryRow(TextWriter output, string name, MetricsReport m) =>
        output.WriteLine(F($"{name,-10}{P(m.MeanAp)}{P(m.CP)}{P(m.CR)}{P(m.CF1)}{P(m.OP)}{P(m.OR)}{P(m.OF1)}{P(m.Top3.CF1)}{P(m.Top3.OF1)}{P(m.HammingLoss),9}{P(m.SubsetAccuracy),8}{P(m.ExampleF1)}{m.Images,8}"));

    private static string P(double value) => double.IsFinite(value) ? value.ToString("F2", CultureInfo.InvariantCulture).PadLeft(7) : "      -";

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private sealed record EvalOptions(string? JsonPath, bool Tune, bool Write, int MaxMegapixels, int? Limit, bool NoRescoring, string? FitRescoring);
}
