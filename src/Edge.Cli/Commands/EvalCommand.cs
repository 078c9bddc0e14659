using System.CommandLine;
using System.Globalization;
using Edge.Camera.Sources.OpenCv;
using Edge.Cli.Configuration;
using Edge.Runtime.Bundles;
using Edge.Runtime.Inference;
using Edge.Tools.Evaluation;
using Edge.Tools.Evaluation.Datasets;

namespace Edge.Cli.Commands;

/// <summary><c>edge eval</c>: a bundle's multi-label metrics on a labelled dataset (CSV, COCO or VOC).</summary>
internal static class EvalCommand
{
    public static Command Create(Option<bool> verbose)
    {
        var data = new Option<string>("--data") { Description = "Dataset: a CSV file or folder with labels.csv, a COCO instances JSON, or a VOC folder", Required = true };
        var format = new Option<string?>("--format") { Description = "csv | coco | voc (default: detected from the path)" };
        format.AcceptOnlyFromAmong([.. DatasetReader.Formats]);
        var images = new Option<string?>("--images") { Description = "Folder holding the images, when not beside the annotations" };
        var json = new Option<string?>("--json") { Description = "Write the metrics as JSON to this file (- for stdout)" };
        var tune = new Option<bool>("--tune-thresholds") { Description = "Choose per-label thresholds on this dataset (use a validation split, not the test split)" };
        var report = new Option<string?>("--report") { Description = "Write PNG charts, activation-map overlays and summary.md into this folder" };
        var maxMegapixels = new Option<int>("--max-megapixels") { Description = $"Refuse images whose header states more megapixels, before decoding (default {ImageFile.DefaultMaxMegapixels}, at most {ImageFile.MaxMegapixelsLimit})", DefaultValueFactory = _ => ImageFile.DefaultMaxMegapixels };
        var write = new Option<bool>("--write") { Description = "With --tune-thresholds and/or --fit-rescoring: write what they chose into the bundle's manifest" };
        var fitRescoring = new Option<string?>("--fit-rescoring") { Description = "Fit label-dependency re-scoring on this (validation) dataset from the label graph of this training labels.csv", HelpName = "TRAIN_LABELS_CSV" };
        var noRescoring = new Option<bool>("--no-rescoring") { Description = "Measure the model's own logits, ignoring the bundle's rescoring block" };

        var shared = SettingFlags.For("model", "ep", "threads");
        var command = new Command("eval", "Measure a model on a labelled dataset: mAP, CP/CR/CF1, OP/OR/OF1, top-3, Hamming loss, subset accuracy, example F1, per label")
        {
            data, format, images, json, tune, write, report, maxMegapixels, fitRescoring, noRescoring,
        };
        foreach (var option in shared.Options)
        {
            command.Options.Add(option);
        }

        command.Validators.Add(result =>
        {
            if (result.GetValue(write) && !result.GetValue(tune) && result.GetValue(fitRescoring) is null)
            {
                result.AddError("--write needs --tune-thresholds or --fit-rescoring: it writes what they chose into the manifest");
            }

            if (result.GetValue(noRescoring) && result.GetValue(fitRescoring) is not null)
            {
                result.AddError("--no-rescoring and --fit-rescoring exclude each other: the fit starts from the model's own logits and reports both");
            }
        });
        command.SetAction(parse => CommandRunner.Run(parse.GetValue(verbose), () =>
        {
            var imageLimit = parse.GetValue(maxMegapixels);
            if (imageLimit is < 1 or > ImageFile.MaxMegapixelsLimit)
            {
                throw new UserError(ExitCode.InvalidArguments, $"--max-megapixels {imageLimit} is invalid: expected 1 to {ImageFile.MaxMegapixelsLimit}");
            }

            var settings = shared.Read(parse).Resolve();
            var dataset = DatasetReader.Read(parse.GetValue(data)!, parse.GetValue(format), parse.GetValue(images));
            var bundle = ModelBundle.Load(settings.Model);
            if (parse.GetValue(noRescoring) && parse.GetValue(write) && bundle.Rescoring is not null)
            {
                throw new UserError(ExitCode.InvalidArguments, $"--write with --no-rescoring would give model '{bundle.Name}' thresholds tuned without the rescoring block it applies: expected --tune-thresholds --write without --no-rescoring");
            }

            var trainLabels = parse.GetValue(fitRescoring);
            var training = trainLabels is null ? null : EvalRescoring.Graphs(bundle, trainLabels);
            var reportDirectory = parse.GetValue(report);
            using var session = ModelSession.Create(bundle, settings.Ep, settings.Threads, bindMaps: reportDirectory is not null && bundle.MapsName is not null);
            Console.Error.WriteLine($"evaluating {bundle.Name} ({bundle.Precision}, {session.Report.Active}) on {dataset.Images.Count} images of {dataset.Source} ({dataset.Format})");
            EvaluationResult result;
            using (var bar = new ProgressBar("evaluating", dataset.Images.Count))
            {
                result = Evaluator.Run(bundle, session, dataset, bar, maxMegapixels: imageLimit, applyRescoring: !parse.GetValue(noRescoring) && training is null);
            }

            var rescoring = training is null ? null : EvalRescoring.Fit(bundle, dataset, result, training, parse.GetValue(json) == "-" ? Console.Error : Console.Out);
            result = rescoring?.Result ?? result;

            var tuned = parse.GetValue(tune)
                ? ThresholdTuner.Tune(result.Scores, bundle.Labels.Select(label => (double)label.On).ToArray())
                : null;
            var jsonPath = parse.GetValue(json);
            if (jsonPath == "-")
            {
                using var stdout = Console.OpenStandardOutput();
                EvaluationJson.Write(stdout, result, bundle, dataset.Source, tuned);
                stdout.WriteByte((byte)'\n');
            }
            else
            {
                PrintTable(Console.Out, result);
                if (tuned is not null)
                {
                    PrintThresholds(Console.Out, tuned);
                }

                if (jsonPath is not null)
                {
                    using var file = File.Create(jsonPath);
                    EvaluationJson.Write(file, result, bundle, dataset.Source, tuned);
                    Console.Error.WriteLine($"metrics written to {jsonPath}");
                }
            }

            if (reportDirectory is not null)
            {
                Edge.Tools.Evaluation.Report.EvaluationReport.Write(reportDirectory, result, bundle, session, dataset, imageLimit);
                Console.Error.WriteLine($"report written to {Path.Combine(reportDirectory, "summary.md")}");
            }

            if (rescoring is not null && parse.GetValue(write))
            {
                EvalRescoring.Write(bundle, rescoring, dataset);
            }

            if (tuned is not null && parse.GetValue(write))
            {
                var how = ManifestThresholdWriter.Describe(dataset.Source, dataset.Images.Count, TimeProvider.System.GetUtcNow());
                ManifestThresholdWriter.Write(bundle, tuned.Select(t => t.New).ToArray(), how);
                Console.Error.WriteLine($"tuned thresholds written to {Path.Combine(bundle.Directory, ModelBundle.ManifestFile)}");
            }

            return ExitCode.Success;
        }));
        return command;
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
}
