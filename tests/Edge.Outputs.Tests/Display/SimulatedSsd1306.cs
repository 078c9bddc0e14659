using System.Device.I2c;

namespace Edge.Outputs.Tests.Display;

/// <summary>
/// An SSD1306 on a pretend I2C bus: keeps every write and rebuilds the controller's 128x64 display RAM from the
/// addressing commands (column/page ranges, addressing mode) and data bytes, as the chip would.
/// </summary>
internal sealed class SimulatedSsd1306(int busId = 7, int address = 0x3C) : I2cDevice
{
    public const int Width = 128;
    public const int Pages = 8;

    private const byte CommandStream = 0x00;
    private const byte DataStream = 0x40;

    private readonly Lock gate = new();
    // Power-on RAM content is undefined; all lit makes a missing clear visible.
    private readonly byte[] ram = Enumerable.Repeat((byte)0xFF, Width * Pages).ToArray();
    private readonly List<byte[]> writes = [];
    private int columnStart;
    private int columnEnd = Width - 1;
    private int pageStart;
    private int pageEnd = Pages - 1;
    private int column;
    private int page;
    private AddressingMode mode = AddressingMode.Page;

    private enum AddressingMode
    {
        Horizontal = 0,
        Vertical = 1,
        Page = 2,
    }

    public override I2cConnectionSettings ConnectionSettings { get; } = new(busId, address);

    /// <summary>Makes every write fail, as a panel with a loose wire does.</summary>
    public bool Unplugged { get; set; }

    public bool Disposed { get; private set; }

    public int MultiplexRatio { get; private set; } = 63;

    public bool AlternativeComPins { get; private set; } = true;

    public bool DisplayOn { get; private set; }

    public int DataWrites { get; private set; }

    public byte[] Ram()
    {
        lock (gate)
        {
            return [.. ram];
        }
    }

    public IReadOnlyList<byte[]> Writes()
    {
        lock (gate)
        {
            return [.. writes];
        }
    }

    /// <summary>Whether the pixel at (x, y) of display RAM is lit.</summary>
    public bool Lit(int x, int y)
    {
        lock (gate)
        {
            return (ram[(y / 8 * Width) + x] & (1 << (y % 8))) != 0;
        }
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (Unplugged)
        {
            throw new IOException("Error 121 performing I2C data transfer.");
        }

        lock (gate)
        {
            writes.Add(buffer.ToArray());
            switch (buffer[0])
            {
                case CommandStream:
                    Execute(buffer[1..]);
                    break;
                case DataStream:
                    DataWrites++;
                    Store(buffer[1..]);
                    break;
                default:
                    throw new InvalidOperationException($"unexpected control byte 0x{buffer[0]:X2}");
            }
        }
    }

    public override void WriteByte(byte value) => Write([value]);

    public override void Read(Span<byte> buffer) => throw new NotSupportedException("an SSD1306 on I2C is write-only");

    public override byte ReadByte() => throw new NotSupportedException("an SSD1306 on I2C is write-only");

    public override void WriteRead(ReadOnlySpan<byte> writeBuffer, Span<byte> readBuffer) =>
        throw new NotSupportedException("an SSD1306 on I2C is write-only");

    protected override void Dispose(bool disposing)
    {
        Disposed = true;
        base.Dispose(disposing);
    }

    private void Execute(ReadOnlySpan<byte> commands)
    {
        while (!commands.IsEmpty)
        {
            var command = commands[0];
            var arguments = ArgumentCount(command);
            var operands = commands.Slice(1, arguments);
            switch (command)
            {
                case 0x20:
                    mode = (AddressingMode)(operands[0] & 0x03);
                    break;
                case 0x21:
                    columnStart = column = operands[0] & 0x7F;
                    columnEnd = operands[1] & 0x7F;
                    break;
                case 0x22:
                    pageStart = page = operands[0] & 0x07;
                    pageEnd = operands[1] & 0x07;
                    break;
                case >= 0xB0 and <= 0xB7:
                    page = command & 0x07;
                    break;
                case <= 0x0F:
                    column = (column & 0xF0) | command;
                    break;
                case >= 0x10 and <= 0x1F:
                    column = (column & 0x0F) | ((command & 0x0F) << 4);
                    break;
                case 0xA8:
                    MultiplexRatio = operands[0] & 0x3F;
                    break;
                case 0xDA:
                    AlternativeComPins = (operands[0] & 0x10) != 0;
                    break;
                case 0xAE:
                    DisplayOn = false;
                    break;
                case 0xAF:
                    DisplayOn = true;
                    break;
            }

            commands = commands[(1 + arguments)..];
        }
    }

    private static int ArgumentCount(byte command) => command switch
    {
        0x20 or 0x81 or 0x8D or 0xA8 or 0xD3 or 0xD5 or 0xD9 or 0xDA or 0xDB => 1,
        0x21 or 0x22 or 0xA3 => 2,
        0x29 or 0x2A => 5,
        0x26 or 0x27 => 6,
        _ => 0,
    };

    private void Store(ReadOnlySpan<byte> data)
    {
        foreach (var value in data)
        {
            ram[(page * Width) + column] = value;
            Advance();
        }
    }

    private void Advance()
    {
        switch (mode)
        {
            case AddressingMode.Horizontal:
                if (++column > columnEnd)
                {
                    column = columnStart;
                    page = page >= pageEnd ? pageStart : page + 1;
                }

                break;
            case AddressingMode.Vertical:
                if (++page > pageEnd)
                {
                    page = pageStart;
                    column = column >= columnEnd ? columnStart : column + 1;
                }

                break;
            default:
                column = column >= Width - 1 ? 0 : column + 1;
                break;
        }
    }
}
