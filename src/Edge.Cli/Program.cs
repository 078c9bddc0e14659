using System.CommandLine;
using Edge.Cli.Commands;
using Edge.Cli.Hosting;

DeviceNativeLibraries.Register(AppContext.BaseDirectory);

var verbose = new Option<bool>("--verbose") { Description = "Print stack traces and debug detail", Recursive = true };
var root = new RootCommand("edge: camera frames -> multi-label model -> label sets, within a latency budget")
{
    verbose,
    RunCommand.Create(verbose),
    InfoCommand.Create(verbose),
    EvalCommand.Create(verbose),
    DatasetCommand.Create(verbose),
    QuantizeCommand.Create(verbose),
    PrepareCommand.Create(verbose),
    BenchCommand.Create(verbose),
};
var parsed = root.Parse(args);
if (CommandLineText.NulByte(parsed) is { } nul)
{
    Console.Error.WriteLine($"edge: error: {nul}");
    return (int)ExitCode.InvalidArguments;
}

if (parsed.Errors.Count > 0)
{
    // One line per problem and the usage exit code, instead of System.CommandLine's help dump.
    foreach (var error in parsed.Errors)
    {
        Console.Error.WriteLine($"edge: error: {error.Message}");
    }

    var names = new Stack<string>();
    for (var command = parsed.CommandResult; command is not null; command = command.Parent as System.CommandLine.Parsing.CommandResult)
    {
        names.Push(command.Command.Name);
    }

    Console.Error.WriteLine($"see '{string.Join(' ', names)} --help'");
    return (int)ExitCode.InvalidArguments;
}

return parsed.Invoke();
