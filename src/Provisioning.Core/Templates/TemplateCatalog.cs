using System.Collections.Frozen;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Provisioning.Core.Steps;

namespace Provisioning.Core.Templates;

/// <summary><c>Provisioning:Templates:*</c>.</summary>
public sealed class TemplateOptions
{
    public const string Section = "Provisioning:Templates";

    /// <summary>A folder of <c>*.yaml</c> templates, loaded at start with the built-in ones; none when empty.</summary>
    public string? Directory { get; set; }

    /// <summary>Variables of the portal's own environment that command steps get too (beside PATH, HOME and LANG).</summary>
    public List<string> Environment { get; set; } = [];
}

/// <summary>
/// The templates releases provision with: the built-in <c>app</c> and <c>vm</c> (template files shipped in the
/// assembly) and every <c>*.yaml</c> in <c>Provisioning:Templates:Directory</c>. Read once, at start; a file that does
/// not parse or breaks a rule stops the start with every problem as <c>file:line: rule</c>.
/// </summary>
public sealed class TemplateCatalog
{
    private readonly FrozenDictionary<string, ProvisioningTemplate> _templates;

    public TemplateCatalog(IEnumerable<IProvisioningStep> builtInSteps, IOptions<TemplateOptions> options, IConfiguration configuration)
        : this(builtInSteps.ToDictionary(s => s.Name, s => s.OnFailure, StringComparer.Ordinal), options.Value, configuration)
    {
    }

    /// <param name="builtIns">The built-in steps templates may use, with the policy each has when a template says none.</param>
    public TemplateCatalog(IReadOnlyDictionary<string, ResourcePolicy> builtIns, TemplateOptions options, IConfiguration configuration)
    {
        bool SecretIsSet(string name) => !string.IsNullOrEmpty(configuration[$"Provisioning:Secrets:{name}"]);
        var problems = new List<string>();
        var loaded = new List<ProvisioningTemplate>();
        foreach (var (source, yaml) in BuiltInFiles())
        {
            Add(new TemplateParser(source, folder: null, builtIns, SecretIsSet, problems), yaml);
        }

        if (options.Directory is { Length: > 0 } directory)
        {
            if (!System.IO.Directory.Exists(directory))
            {
                throw new InvalidConfigurationException($"{TemplateOptions.Section}:Directory '{directory}' does not exist.");
            }

            var folder = Path.GetFullPath(directory);
            foreach (var file in System.IO.Directory.EnumerateFiles(folder, "*.yaml").Order(StringComparer.Ordinal))
            {
                Add(new TemplateParser(file, folder, builtIns, SecretIsSet, problems), File.ReadAllText(file));
            }
        }

        if (problems.Count > 0)
        {
            throw new InvalidConfigurationException(
                $"{problems.Count} problem(s) in the templates:{System.Environment.NewLine}{string.Join(System.Environment.NewLine, problems.Select(p => $"  {p}"))}");
        }

        _templates = loaded.ToFrozenDictionary(t => t.Name, StringComparer.Ordinal);
        All = loaded;

        void Add(TemplateParser parser, string yaml)
        {
            if (parser.Parse(yaml) is not { } template)
            {
                return;
            }

            if (loaded.Find(t => t.Name == template.Name) is { } first)
            {
                problems.Add($"{template.Source}:{parser.NameLine}: template name '{template.Name}' is taken by {first.Source}");
                return;
            }

            loaded.Add(template);
        }
    }

    /// <summary>
    /// The built-in templates as shipped, read without a host: for tools and tests that need a plan. The portal's own
    /// catalog reads the same files.
    /// </summary>
    public static IReadOnlyList<ProvisioningTemplate> BuiltIn { get; } = ReadBuiltIns();

    /// <summary>The steps of the built-in template <paramref name="name"/> (<c>app</c>, <c>vm</c>), in order.</summary>
    public static IReadOnlyList<string> BuiltInPlan(string name) => BuiltIn.Single(t => t.Name == name).StepNames.ToList();

    /// <summary>In load order: the built-in ones, then the folder's by file name.</summary>
    public IReadOnlyList<ProvisioningTemplate> All { get; }

    public ProvisioningTemplate? Find(string name) => _templates.GetValueOrDefault(name);

    private static IEnumerable<(string Source, string Yaml)> BuiltInFiles()
    {
        var assembly = typeof(TemplateCatalog).Assembly;
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith("templates/", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            using var reader = new StreamReader(assembly.GetManifestResourceStream(resource)!);
            yield return ($"builtin:{resource["templates/".Length..]}", reader.ReadToEnd());
        }
    }

    private static List<ProvisioningTemplate> ReadBuiltIns()
    {
        var problems = new List<string>();
        var builtIns = StepNames.BuiltIn.ToDictionary(n => n, _ => ResourcePolicy.Release, StringComparer.Ordinal);
        var templates = BuiltInFiles().Select(f => new TemplateParser(f.Source, null, builtIns, _ => false, problems).Parse(f.Yaml)).OfType<ProvisioningTemplate>().ToList();
        return problems.Count == 0 ? templates : throw new InvalidOperationException(string.Join(System.Environment.NewLine, problems));
    }

    /// <summary>The template a release names; a release whose template is no longer loaded cannot be provisioned.</summary>
    public ProvisioningTemplate Get(string name) =>
        Find(name) ?? throw new Errors.ProvisioningException(Errors.ErrorCatalogue.InternalError,
            $"Template '{name}' is not loaded: it was removed from {TemplateOptions.Section}:Directory or renamed.");
}
