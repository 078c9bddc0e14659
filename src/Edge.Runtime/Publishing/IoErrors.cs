namespace Edge.Runtime.Publishing;

/// <summary>Which write failures mean "no room" or "the reader is gone", from the errno .NET puts in IOException.HResult on Unix.</summary>
internal static class IoErrors
{
    private const int FileTooLarge = 27; // EFBIG
    private const int NoSpaceLeft = 28; // ENOSPC
    private const int BrokenPipe = 32; // EPIPE
    private const int QuotaExceeded = 122; // EDQUOT

    /// <summary>The device (or the user's quota, or the file size limit) has no room for the write.</summary>
    public static bool IsNoSpace(IOException exception) => exception.HResult is NoSpaceLeft or QuotaExceeded or FileTooLarge;

    /// <summary>The reader of a pipe or FIFO closed its end.</summary>
    public static bool IsBrokenPipe(IOException exception) => exception.HResult == BrokenPipe;
}
