using System.CommandLine;
using Edge.Runtime.Cli;

var verbose = new Option<bool>("--verbose") { Description = "Print stack traces and debug detail", Recursive = true };
var root = new RootCommand("edge: camera frames -> multi-label model -> label sets, within a latency budget")
{
    verbose,
    RunCommand.Create(verbose),
    InfoCommand.Create(verbose),
    EvalCommand.Create(verbose),
    DatasetCommand.Create(verbose),
};
return root.Parse(args).Invoke();
