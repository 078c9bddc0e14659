using System.CommandLine;
using Edge.Camera.Synthetic;
using Edge.Camera.Synthetic.Perturbations;

namespace Edge.Cli.Commands;

/// <summary><c>edge dataset multifashion</c>: writes MultiFashion scenes as PNG + labels.csv.</summary>
internal static class DatasetCommand
{
    public static Command Create(Option<bool> verbose)
    {
        var output = new Option<string>("--out") { Description = "Folder to write the PNG scenes and labels.csv into", Required = true };
        var count = new Option<int>("--count") { Description = "Number of scenes", DefaultValueFactory = _ => 1000 };
        var split = new Option<string>("--split") { Description = "train | val | test | ood (out-of-context combinations, test items)", DefaultValueFactory = _ => "test" };
        split.AcceptOnlyFromAmong("train", "val", "test", "ood");
        var outfitShare = new Option<double>("--outfit-share") { Description = "Share of scenes (0-1) following the outfit co-occurrence prior (top + trousers + shoes, dress + bag, ...)", DefaultValueFactory = _ => 0 };
        var seed = new Option<int>("--seed") { Description = "Seed; the same seed gives the same scenes", DefaultValueFactory = _ => 1 };
        var size = new Option<int>("--size") { Description = "Canvas side in pixels", DefaultValueFactory = _ => 224 };
        var family = new Option<string>("--family") { Description = $"Scene family: {string.Join(" | ", SceneFamilies.Names)} (randomized = training-time domain randomisation; docs/robustness.md)", DefaultValueFactory = _ => "clean" };
        family.AcceptOnlyFromAmong([.. SceneFamilies.Names]);
        var robustness = new Option<bool>("--robustness") { Description = "Write a robustness set: every evaluation family plus the cooccurrence and out-of-context families, each --count scenes, in OUT/<family>/, indexed by OUT/robustness.json (--split test or val)" };
        var fashionMnist = new Option<string?>("--fashion-mnist") { Description = "Folder with Fashion-MNIST's .gz files (default: shipped test split, then /usr/share/datasets/fashion-mnist)" };

        var multiFashion = new Command("multifashion", "Generate MultiFashion scenes (0-4 Fashion-MNIST items each, 10 labels)")
        {
            output, count, split, seed, size, outfitShare, family, robustness, fashionMnist,
        };
        multiFashion.Validators.Add(result =>
        {
            if (result.GetValue(robustness) && result.GetResult(family) is { Implicit: false })
            {
                result.AddError("--robustness writes every family: leave out --family");
            }

            var chosenSplit = result.GetResult(split) is { Implicit: false } ? result.GetValue(split) : "test";
            if (result.GetValue(robustness) && chosenSplit is not ("test" or "val"))
            {
                result.AddError($"--robustness needs --split test (evaluation, test items) or val (validation, training items), not {chosenSplit}");
            }
        });
        multiFashion.SetAction(parse => CommandRunner.Run(parse.GetValue(verbose), () =>
        {
            Require(parse.GetValue(count) is >= 1 and <= 10_000_000, "--count must be from 1 to 10000000");
            Require(parse.GetValue(seed) >= 0, "--seed must be 0 or more");
            Require(parse.GetValue(size) is >= 32 and <= 4096, "--size must be from 32 to 4096");
            Require(parse.GetValue(outfitShare) is >= 0 and <= 1, "--outfit-share must be from 0 to 1");
            var chosenSplit = MultiFashionSplits.Parse(parse.GetValue(split)!);
            var items = FashionMnistLocator.LoadFor(chosenSplit, parse.GetValue(fashionMnist));
            var total = parse.GetValue(count);
            var directory = parse.GetValue(output)!;
            if (parse.GetValue(robustness))
            {
                return WriteRobustnessSet(items, chosenSplit, (ulong)parse.GetValue(seed), total, parse.GetValue(size), parse.GetValue(outfitShare), directory);
            }

            var chosenFamily = SceneFamilies.Parse(parse.GetValue(family)!);
            var renderer = new MultiFashionRenderer(items, chosenSplit, parse.GetValue(size), parse.GetValue(outfitShare), chosenFamily);
            using var bar = new ProgressBar("rendering", total);
            MultiFashionDataset.Write(renderer, (ulong)parse.GetValue(seed), total, directory, bar);
            bar.Finish();
            Console.Error.WriteLine($"wrote {total} {chosenSplit.ToString().ToLowerInvariant()} {chosenFamily.Name()} scenes, {MultiFashionDataset.LabelsFile} and {MultiFashionDataset.ItemsFile} to {directory}");
            return ExitCode.Success;
        }));

        return new Command("dataset", "Generate and convert datasets") { multiFashion, ConvertCommand(verbose) };
    }

    /// <summary><c>edge dataset convert</c>: any readable dataset (csv, coco, voc) as one labels.csv with absolute paths.</summary>
    private static Command ConvertCommand(Option<bool> verbose)
    {
        var data = new Option<string>("--data") { Description = "Dataset: a CSV file or folder with labels.csv, a COCO instances JSON, or a VOC folder", Required = true };
        var format = new Option<string?>("--format") { Description = "csv | coco | voc (default: detected from the path)" };
        format.AcceptOnlyFromAmong([.. Edge.Tools.Evaluation.Datasets.DatasetReader.Formats]);
        var images = new Option<string?>("--images") { Description = "Folder holding the images, when not beside the annotations" };
        var output = new Option<string>("--out") { Description = "Folder to write labels.csv into (images stay where they are)", Required = true };
        var command = new Command("convert", "Write any dataset edge eval reads as labels.csv (image,labels,slice) with absolute image paths, for the training recipe")
        {
            data, format, images, output,
        };
        command.SetAction(parse => CommandRunner.Run(parse.GetValue(verbose), () =>
        {
            var dataset = Edge.Tools.Evaluation.Datasets.DatasetReader.Read(parse.GetValue(data)!, parse.GetValue(format), parse.GetValue(images));
            var path = Edge.Tools.Evaluation.Datasets.LabelsCsvWriter.Write(dataset, parse.GetValue(output)!);
            Console.Error.WriteLine($"wrote {dataset.Images.Count} images ({dataset.LabelNames.Count} labels) from {dataset.Source} ({dataset.Format}) to {path}");
            return ExitCode.Success;
        }));
        return command;
    }

    private static ExitCode WriteRobustnessSet(FashionMnist items, MultiFashionSplit split, ulong seed, int count, int size, double outfitShare, string directory)
    {
        var families = RobustnessSetWriter.Families;
        using var bar = new ProgressBar("rendering", count * families.Count);
        RobustnessSetWriter.Write(items, split, seed, count, size, outfitShare, directory, (family, done, _) => bar.Report((IndexOf(families, family) * count) + done));
        bar.Finish();
        Console.Error.WriteLine($"wrote {families.Count} families x {count} {split.ToString().ToLowerInvariant()} scenes and {RobustnessSetWriter.IndexFile} to {directory}");
        return ExitCode.Success;

        static int IndexOf(IReadOnlyList<WrittenFamily> families, string name)
        {
            for (var i = 0; i < families.Count; i++)
            {
                if (families[i].Name == name)
                {
                    return i;
                }
            }

            return 0;
        }
    }

    private static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new UserError(ExitCode.InvalidArguments, message);
        }
    }
}
