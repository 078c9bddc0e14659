using Edge.Runtime.Bundles;
using Edge.Runtime.Preprocessing;

namespace Edge.Runtime.Tests;

public sealed class ImagePreprocessorTests
{
    private const double Tolerance = 1e-3;

    private static readonly (int Width, int Height)[] SourceSizes = [(24, 16), (64, 48), (12, 10), (40, 17), (17, 40), (1, 1)];

    public static TheoryData<int, int, ResizePolicy, ColorOrder, TensorLayout> Combinations()
    {
        var data = new TheoryData<int, int, ResizePolicy, ColorOrder, TensorLayout>();
        foreach (var (width, height) in SourceSizes)
        {
            foreach (var resize in Enum.GetValues<ResizePolicy>())
            {
                foreach (var order in Enum.GetValues<ColorOrder>())
                {
                    foreach (var layout in Enum.GetValues<TensorLayout>())
                    {
                        data.Add(width, height, resize, order, layout);
                    }
                }
            }
        }

        return data;
    }

    /// <summary>Non-square 24x16 model input with 0-1 scaling and ImageNet-style mean/std.</summary>
    [Theory]
    [MemberData(nameof(Combinations))]
    public void Process_RandomImage_MatchesReference(int width, int height, ResizePolicy resize, ColorOrder order, TensorLayout layout)
    {
        var contract = new PreprocessContract(24, 16, layout, order, resize, 1f / 255, [0.485f, 0.456f, 0.406f], [0.229f, 0.224f, 0.225f], null, 114);

        AssertMatchesReference(contract, width, height, seed: (width * 31) + height);
    }

    public static TheoryData<int, int, ResizePolicy> SquareCases()
    {
        var data = new TheoryData<int, int, ResizePolicy>();
        foreach (var (width, height) in new[] { (32, 32), (100, 60), (8, 8), (33, 31), (16, 50) })
        {
            foreach (var resize in Enum.GetValues<ResizePolicy>())
            {
                data.Add(width, height, resize);
            }
        }

        return data;
    }

    /// <summary>Square 32x32 input (the fixture model's) with 0-255 pixels and per-channel means, as in the bundled model.</summary>
    [Theory]
    [MemberData(nameof(SquareCases))]
    public void Process_SquareInputWithPixelMeans_MatchesReference(int width, int height, ResizePolicy resize)
    {
        var contract = new PreprocessContract(32, 32, TensorLayout.Nchw, ColorOrder.Bgr, resize, 1f, [103.1f, 115.9f, 123.2f], [1f, 2f, 0.5f], null, 0);

        AssertMatchesReference(contract, width, height, seed: width + (height * 7));
    }

    public static TheoryData<int, int, ResizePolicy, ColorOrder, TensorLayout> MeanImageCases()
    {
        var data = new TheoryData<int, int, ResizePolicy, ColorOrder, TensorLayout>();
        foreach (var (width, height) in new[] { (20, 12), (50, 20), (9, 30) })
        {
            foreach (var resize in Enum.GetValues<ResizePolicy>())
            {
                data.Add(width, height, resize, ColorOrder.Rgb, TensorLayout.Nhwc);
                data.Add(width, height, resize, ColorOrder.Bgr, TensorLayout.Nchw);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(MeanImageCases))]
    public void Process_MeanImage_ReplacesMeanPerPixel(int width, int height, ResizePolicy resize, ColorOrder order, TensorLayout layout)
    {
        var random = new Random(width * height);
        var meanImage = new float[3 * 20 * 12];
        for (var i = 0; i < meanImage.Length; i++)
        {
            meanImage[i] = (float)(random.NextDouble() * 200);
        }

        var contract = new PreprocessContract(20, 12, layout, order, resize, 1f, [999f, 999f, 999f], [1f, 4f, 0.25f], meanImage, 30);

        AssertMatchesReference(contract, width, height, seed: width - height);
    }

    [Fact]
    public void Process_SameSizeRgbNchw_SwapsChannelsExactly()
    {
        var contract = new PreprocessContract(2, 1, TensorLayout.Nchw, ColorOrder.Rgb, ResizePolicy.Stretch, 1f, [0f, 0f, 0f], [1f, 1f, 1f], null, 0);
        byte[] bgr = [1, 2, 3, 4, 5, 6]; // pixel 0: b=1 g=2 r=3; pixel 1: b=4 g=5 r=6
        var tensor = new float[6];

        new ImagePreprocessor(contract).Process(bgr, 2, 1, tensor);

        Assert.Equal([3f, 6f, 2f, 5f, 1f, 4f], tensor);
    }

    [Fact]
    public void Process_SameSizeBgrNhwc_KeepsPixelsInterleaved()
    {
        var contract = new PreprocessContract(2, 1, TensorLayout.Nhwc, ColorOrder.Bgr, ResizePolicy.Stretch, 2f, [1f, 1f, 1f], [1f, 1f, 1f], null, 0);
        byte[] bgr = [1, 2, 3, 4, 5, 6];
        var tensor = new float[6];

        new ImagePreprocessor(contract).Process(bgr, 2, 1, tensor);

        Assert.Equal([1f, 3f, 5f, 7f, 9f, 11f], tensor);
    }

    [Fact]
    public void Process_WideImageLetterboxed_FillsBarsWithNormalisedFill()
    {
        var contract = new PreprocessContract(4, 4, TensorLayout.Nchw, ColorOrder.Bgr, ResizePolicy.Letterbox, 1f, [10f, 10f, 10f], [2f, 2f, 2f], null, 50);
        var bgr = Enumerable.Repeat((byte)200, 8 * 2 * 3).ToArray(); // 8x2: content 4x1 centred at rows 1.5..2.5
        var tensor = new float[48];

        new ImagePreprocessor(contract).Process(bgr, 8, 2, tensor);

        for (var c = 0; c < 3; c++)
        {
            for (var x = 0; x < 4; x++)
            {
                Assert.Equal(20f, tensor[(c * 16) + (0 * 4) + x]); // (50 - 10) / 2
                Assert.Equal(95f, tensor[(c * 16) + (1 * 4) + x]); // (200 - 10) / 2: centre 1.5 is on the content's edge
                Assert.Equal(95f, tensor[(c * 16) + (2 * 4) + x]);
                Assert.Equal(20f, tensor[(c * 16) + (3 * 4) + x]);
            }
        }
    }

    [Fact]
    public void Process_AlternatingSourceSizes_RebuildsTablesEachTime()
    {
        var contract = new PreprocessContract(16, 16, TensorLayout.Nchw, ColorOrder.Rgb, ResizePolicy.CenterCrop, 1f, [0f, 0f, 0f], [1f, 1f, 1f], null, 0);
        var preprocessor = new ImagePreprocessor(contract);
        var small = RandomImage(10, 30, new Random(1));
        var large = RandomImage(50, 20, new Random(2));
        var tensor = new float[preprocessor.TensorLength];

        foreach (var (image, width, height) in new[] { (small, 10, 30), (large, 50, 20), (small, 10, 30), (RandomImage(16, 16, new Random(3)), 16, 16), (large, 50, 20) })
        {
            preprocessor.Process(image, width, height, tensor);
            AssertClose(Reference(contract, image, width, height), tensor);
        }
    }

    [Fact]
    public void Process_TensorLongerThanNeeded_WritesOnlyTheInputPrefix()
    {
        var contract = new PreprocessContract(4, 4, TensorLayout.Nhwc, ColorOrder.Bgr, ResizePolicy.Stretch, 1f, [0f, 0f, 0f], [1f, 1f, 1f], null, 0);
        var tensor = Enumerable.Repeat(-7f, 60).ToArray();

        new ImagePreprocessor(contract).Process(RandomImage(6, 6, new Random(5)), 6, 6, tensor);

        Assert.All(tensor[48..], value => Assert.Equal(-7f, value));
    }

    [Fact]
    public void Process_ImageBufferTooShort_Throws()
    {
        var contract = new PreprocessContract(4, 4, TensorLayout.Nchw, ColorOrder.Bgr, ResizePolicy.Stretch, 1f, [0f, 0f, 0f], [1f, 1f, 1f], null, 0);

        var exception = Assert.Throws<ArgumentException>(() => new ImagePreprocessor(contract).Process(new byte[10], 4, 4, new float[48]));

        Assert.Equal("bgr", exception.ParamName);
    }

    [Fact]
    public void Process_TensorTooShort_Throws()
    {
        var contract = new PreprocessContract(4, 4, TensorLayout.Nchw, ColorOrder.Bgr, ResizePolicy.Stretch, 1f, [0f, 0f, 0f], [1f, 1f, 1f], null, 0);

        var exception = Assert.Throws<ArgumentException>(() => new ImagePreprocessor(contract).Process(new byte[48], 4, 4, new float[47]));

        Assert.Equal("tensor", exception.ParamName);
    }

    [Fact]
    public void TensorLength_SevenByFiveInput_IsThreeTimesWidthTimesHeight()
    {
        var contract = new PreprocessContract(7, 5, TensorLayout.Nchw, ColorOrder.Bgr, ResizePolicy.Stretch, 1f, [0f, 0f, 0f], [1f, 1f, 1f], null, 0);

        Assert.Equal(105, new ImagePreprocessor(contract).TensorLength);
    }

    private static void AssertMatchesReference(PreprocessContract contract, int width, int height, int seed)
    {
        var image = RandomImage(width, height, new Random(seed));
        var preprocessor = new ImagePreprocessor(contract);
        var tensor = new float[preprocessor.TensorLength];

        preprocessor.Process(image, width, height, tensor);

        AssertClose(Reference(contract, image, width, height), tensor);
    }

    private static void AssertClose(double[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        var worst = 0.0;
        var worstIndex = -1;
        for (var i = 0; i < expected.Length; i++)
        {
            var difference = Math.Abs(expected[i] - actual[i]);
            if (!(difference <= worst))
            {
                worst = difference;
                worstIndex = i;
            }
        }

        Assert.True(worst <= Tolerance, $"max |difference| {worst} at index {worstIndex}: expected {(worstIndex < 0 ? 0 : expected[worstIndex])}, got {(worstIndex < 0 ? 0 : actual[worstIndex])}");
    }

    private static byte[] RandomImage(int width, int height, Random random)
    {
        var image = new byte[width * height * 3];
        random.NextBytes(image);
        return image;
    }

    /// <summary>
    /// The documented semantics, pixel by pixel in double precision: output pixel centre o maps to source coordinate
    /// ((o + 0.5 - offset) / scale) - 0.5 with offset = (outLen - srcLen * scale) / 2; inside the content the value is
    /// bilinear between the clamped neighbours, outside it is the letterbox fill; then value * scale - mean (or the
    /// mean image), divided by std, in the model's colour order and layout.
    /// </summary>
    private static double[] Reference(PreprocessContract contract, byte[] bgr, int width, int height)
    {
        double scaleX = (double)contract.Width / width;
        double scaleY = (double)contract.Height / height;
        if (contract.Resize == ResizePolicy.CenterCrop)
        {
            scaleX = scaleY = Math.Max(scaleX, scaleY);
        }
        else if (contract.Resize == ResizePolicy.Letterbox)
        {
            scaleX = scaleY = Math.Min(scaleX, scaleY);
        }

        var offsetX = (contract.Width - (width * scaleX)) / 2;
        var offsetY = (contract.Height - (height * scaleY)) / 2;
        var plane = contract.Width * contract.Height;
        var result = new double[plane * 3];
        for (var y = 0; y < contract.Height; y++)
        {
            var sourceY = ((y + 0.5 - offsetY) / scaleY) - 0.5;
            for (var x = 0; x < contract.Width; x++)
            {
                var sourceX = ((x + 0.5 - offsetX) / scaleX) - 0.5;
                var outside = sourceX < -0.5 || sourceX > width - 0.5 || sourceY < -0.5 || sourceY > height - 0.5;
                for (var c = 0; c < 3; c++)
                {
                    var bgrChannel = contract.ColorOrder == ColorOrder.Bgr ? c : 2 - c;
                    var pixel = outside ? contract.LetterboxFill : Bilinear(bgr, width, height, sourceX, sourceY, bgrChannel);
                    var mean = contract.MeanImage is { } meanImage ? meanImage[(c * plane) + (y * contract.Width) + x] : contract.Mean[c];
                    var value = ((pixel * contract.Scale) - mean) / contract.Std[c];
                    var index = contract.Layout == TensorLayout.Nchw
                        ? (c * plane) + (y * contract.Width) + x
                        : (((y * contract.Width) + x) * 3) + c;
                    result[index] = value;
                }
            }
        }

        return result;
    }

    private static double Bilinear(byte[] bgr, int width, int height, double x, double y, int channel)
    {
        x = Math.Clamp(x, 0, width - 1);
        y = Math.Clamp(y, 0, height - 1);
        var x0 = (int)Math.Floor(x);
        var y0 = (int)Math.Floor(y);
        var x1 = Math.Min(x0 + 1, width - 1);
        var y1 = Math.Min(y0 + 1, height - 1);
        var fx = x - x0;
        var fy = y - y0;
        double At(int px, int py) => bgr[(((py * width) + px) * 3) + channel];
        var top = ((1 - fx) * At(x0, y0)) + (fx * At(x1, y0));
        var bottom = ((1 - fx) * At(x0, y1)) + (fx * At(x1, y1));
        return ((1 - fy) * top) + (fy * bottom);
    }
}
