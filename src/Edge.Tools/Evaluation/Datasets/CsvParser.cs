using System.Text;

namespace Edge.Tools.Evaluation.Datasets;

/// <summary>
/// Splits RFC 4180 CSV text into records: fields separated by commas, a field in double quotes may hold commas,
/// line breaks and doubled quotes (<c>""</c>). A quote inside an unquoted field is kept as text, as Python's csv
/// module (which the training recipe uses) does. Blank lines are skipped wherever they are.
/// </summary>
internal static class CsvParser
{
    public static List<CsvRecord> Parse(string text, string source)
    {
        var records = new List<CsvRecord>();
        var position = 0;
        var line = 1;
        var value = new StringBuilder();
        while (position < text.Length)
        {
            var recordLine = line;
            var fields = new List<string>();
            var blank = true;
            while (true)
            {
                if (position < text.Length && text[position] == '"')
                {
                    blank = false;
                    fields.Add(ReadQuoted(text, ref position, ref line, value, source));
                    if (position < text.Length && text[position] is not (',' or '\r' or '\n'))
                    {
                        throw new DatasetException(
                            $"{source}:{line}: unexpected '{text[position]}' after a closing quote: expected ',' or the end of the line (write a quote inside a quoted field as \"\")");
                    }
                }
                else
                {
                    var start = position;
                    while (position < text.Length && text[position] is not (',' or '\r' or '\n'))
                    {
                        position++;
                    }

                    var field = text[start..position];
                    blank &= string.IsNullOrWhiteSpace(field);
                    fields.Add(field);
                }

                if (position < text.Length && text[position] == ',')
                {
                    blank = false;
                    position++;
                    continue;
                }

                SkipLineBreak(text, ref position, ref line);
                break;
            }

            if (!blank)
            {
                records.Add(new CsvRecord(recordLine, [.. fields]));
            }
        }

        return records;
    }

    private static string ReadQuoted(string text, ref int position, ref int line, StringBuilder value, string source)
    {
        var openedOn = line;
        value.Clear();
        position++;
        while (true)
        {
            if (position >= text.Length)
            {
                throw new DatasetException($"{source}:{openedOn}: quoted field is never closed: expected a closing '\"'");
            }

            var character = text[position++];
            if (character == '"')
            {
                if (position < text.Length && text[position] == '"')
                {
                    value.Append('"');
                    position++;
                    continue;
                }

                return value.ToString();
            }

            if (character == '\n')
            {
                line++;
            }

            value.Append(character);
        }
    }

    private static void SkipLineBreak(string text, ref int position, ref int line)
    {
        if (position >= text.Length)
        {
            return;
        }

        if (text[position] == '\r' && position + 1 < text.Length && text[position + 1] == '\n')
        {
            position++;
        }

        position++;
        line++;
    }
}
