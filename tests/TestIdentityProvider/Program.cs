namespace TestIdentityProvider;

/// <summary>
/// Runs the provider by hand, with its client and users from TestIdentityProvider.json beside the program and the
/// command line, e.g. <c>dotnet run --project tests/TestIdentityProvider -- --Port 5099</c>.
/// </summary>
internal static class Program
{
    public static async Task Main(string[] args)
    {
        var configuration = new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "TestIdentityProvider.json"), optional: true)
            .AddCommandLine(args)
            .Build();
        var options = new TestIdentityProviderOptions();
        configuration.Bind(options);

        var stopped = new TaskCompletionSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stopped.TrySetResult();
        };

        await using var provider = await TestIdentityProvider.StartAsync(options);
        Console.WriteLine($"Test identity provider at {provider.Authority} (client '{options.ClientId}', {options.Users.Count} users). Ctrl-C stops it.");
        await stopped.Task;
    }
}
