using Microsoft.Extensions.Configuration;
using Portal.Tests.TestInfrastructure;
using Provisioning.Core;
using Provisioning.Core.Steps;
using Provisioning.Core.Templates;

namespace Portal.Tests.Core.Templates;

/// <summary>
/// Templates are files (issue 15, point 1): the built-in ones and a folder's, read at start; a file that breaks a rule
/// stops the start naming the file, the line and the rule.
/// </summary>
public sealed class TemplateCatalogTests : IDisposable
{
    private static readonly Dictionary<string, ResourcePolicy> BuiltIns = StepNames.BuiltIn.ToDictionary(
        n => n, n => n == StepNames.CreateTenantDatabase ? ResourcePolicy.Retain : ResourcePolicy.Release);

    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("templates-");

    public void Dispose() => _folder.Delete(recursive: true);

    [Fact]
    public void TheBuiltInTemplates_AreTemplateFiles_WithTheDesignsSteps()
    {
        var catalog = Load();

        catalog.All.Select(t => t.Name).ShouldBe(["app", "vm"]);
        catalog.Find("app")!.StepNames.ShouldBe([
            "fetch_release", "create_tenant_database", "create_tenant_schema", "register_services", "generate_api_keys", "start_runtime",
            "verify_services"]);
        catalog.Find("app")!.Source.ShouldBe("builtin:app.yaml");
        catalog.Find("app")!.Step("create_tenant_database")!.OnFailure.ShouldBe(ResourcePolicy.Retain);
        catalog.Find("app")!.Step("start_runtime")!.OnFailure.ShouldBe(ResourcePolicy.Release);
        catalog.Find("vm")!.StepNames.ShouldBe(["validate_request", "clone_vm", "configure_network", "power_on", "wait_for_guest_tools", "verify_services"]);
        TemplateCatalog.BuiltInPlan("vm").ShouldBe(catalog.Find("vm")!.StepNames.ToList());
    }

    [Fact]
    public void AFoldersTemplate_IsLoadedBesideTheBuiltInOnes_WithEveryKindOfStep()
    {
        Write("scripted.yaml", """
            name: scripted
            description: A bucket and a registration.
            steps:
              - name: make_bucket
                on_failure: retain
                timeout: 00:02:00
                run: ./bucket.sh create
                compensate: ./bucket.sh delete
              - name: register
                http:
                  method: POST
                  url: "https://registry.example.test/register/${PORTAL_WORKSPACE_ID}"
                  headers: { Authorization: "Bearer ${secret:REGISTRY_TOKEN}" }
                  body: '{"bucket": "${PORTAL_OUT_BUCKET}"}'
                  outputs: [registration_id]
              - name: database
                uses: builtin/create_tenant_database
            """);

        var catalog = Load(("Provisioning:Secrets:REGISTRY_TOKEN", "s3cret"));

        var scripted = catalog.Find("scripted").ShouldNotBeNull();
        catalog.All.Select(t => t.Name).ShouldBe(["app", "vm", "scripted"]);
        scripted.Description.ShouldBe("A bucket and a registration.");
        scripted.Folder.ShouldBe(_folder.FullName);
        scripted.Steps[0].ShouldBe(new TemplateStep("make_bucket", ResourcePolicy.Retain, TimeSpan.FromMinutes(2),
            new CommandAction("./bucket.sh create", "./bucket.sh delete")));
        var http = scripted.Steps[1].Action.ShouldBeOfType<HttpAction>();
        http.Method.ShouldBe("POST");
        http.Headers["authorization"].ShouldBe("Bearer ${secret:REGISTRY_TOKEN}");
        http.Outputs.ShouldBe(["registration_id"]);
        scripted.Steps[1].OnFailure.ShouldBe(ResourcePolicy.Release);
        // A built-in step keeps its own policy unless the template says otherwise.
        scripted.Steps[2].ShouldBe(new TemplateStep("database", ResourcePolicy.Retain, null, new BuiltInAction("create_tenant_database")));
    }

    public static TheoryData<string, string> BrokenTemplates => new()
    {
        { "name: scripted\nsteps: [ {name: a, run: true", "broken.yaml:3: not valid YAML" },
        { "- just\n- a list\n", "broken.yaml:1: a template is one YAML document, a mapping with name and steps" },
        { "name: Scripted\nsteps:\n  - name: a\n    run: echo\n", "broken.yaml:1: template name 'Scripted' must match ^[a-z0-9][a-z0-9-]*$" },
        { "name: scripted\n", "broken.yaml:1: steps is required" },
        { "name: scripted\nsteps: []\n", "broken.yaml:2: steps must be a list of at least one step" },
        { "name: scripted\nsteps:\n  - name: Make-Bucket\n    run: echo\n", "broken.yaml:3: step name 'Make-Bucket' must match ^[a-z0-9_]+$" },
        { "name: scripted\nsteps:\n  - name: a\n    run: echo\n  - name: a\n    run: echo\n", "broken.yaml:5: step name 'a' is used twice in this template" },
        { "name: scripted\nsteps:\n  - name: a\n", "broken.yaml:3: step 'a' must say what it does: run, http or uses" },
        { "name: scripted\nsteps:\n  - name: a\n    run: echo\n    uses: builtin/power_on\n", "broken.yaml:3: step 'a' has more than one of run, http and uses" },
        { "name: scripted\nsteps:\n  - name: a\n    uses: builtin/make_coffee\n", "broken.yaml:4: uses 'builtin/make_coffee' is not a built-in step" },
        { "name: scripted\nsteps:\n  - name: a\n    run: echo\n    on_failure: keep\n", "broken.yaml:5: on_failure 'keep' must be release or retain" },
        { "name: scripted\nsteps:\n  - name: a\n    run: echo\n    timeout: 2 minutes\n", "broken.yaml:5: timeout '2 minutes' must be a duration like 00:02:00" },
        { "name: scripted\nsteps:\n  - name: a\n    uses: builtin/power_on\n    compensate: echo\n", "broken.yaml:5: compensate goes with run" },
        { "name: scripted\nsteps:\n  - name: a\n    run: echo\n    retry: 3\n", "broken.yaml:5: unknown key 'retry' in a step" },
        { "name: scripted\nsteps:\n  - name: a\n    http: { method: FETCH, url: 'https://x.test' }\n", "broken.yaml:4: http method 'FETCH' must be one of" },
        { "name: scripted\nsteps:\n  - name: a\n    http: { method: GET, url: 'ftp://x.test' }\n", "broken.yaml:4: http url 'ftp://x.test' must be an absolute http or https address" },
        { "name: scripted\nsteps:\n  - name: a\n    http:\n      method: GET\n      url: 'https://x.test/${secret:TOKEN}'\n", "broken.yaml:6: ${secret:TOKEN}: secrets go in http headers only" },
        { "name: scripted\nsteps:\n  - name: a\n    http:\n      method: GET\n      url: https://x.test\n      headers: { X-Token: '${secret:MISSING}' }\n", "broken.yaml:7: ${secret:MISSING}: Provisioning:Secrets:MISSING is not set" },
        { "name: scripted\nsteps:\n  - name: a\n    http:\n      method: GET\n      url: 'https://x.test/${WORKSPACE}'\n", "broken.yaml:6: ${WORKSPACE} is not a variable a step gets" },
        { "name: app\nsteps:\n  - name: a\n    run: echo\n", "broken.yaml:1: template name 'app' is taken by builtin:app.yaml" },
    };

    [Theory]
    [MemberData(nameof(BrokenTemplates))]
    public void ABrokenTemplate_StopsTheStart_NamingTheFileTheLineAndTheRule(string yaml, string problem)
    {
        Write("broken.yaml", yaml);

        var error = Should.Throw<InvalidConfigurationException>(() => Load());

        error.Message.ShouldContain(Path.Combine(_folder.FullName, problem));
    }

    [Fact]
    public void EveryProblemOfEveryFile_IsReportedAtOnce()
    {
        Write("one.yaml", "name: one\nsteps:\n  - name: A\n    run: echo\n");
        Write("two.yaml", "name: two\nsteps:\n  - name: b\n    on_failure: never\n    run: echo\n");

        var error = Should.Throw<InvalidConfigurationException>(() => Load());

        error.Message.ShouldStartWith("2 problem(s) in the templates:");
        error.Message.ShouldContain($"{Path.Combine(_folder.FullName, "one.yaml")}:3: step name 'A'");
        error.Message.ShouldContain($"{Path.Combine(_folder.FullName, "two.yaml")}:4: on_failure 'never'");
    }

    [Fact]
    public void AFolderThatIsNotThere_StopsTheStart_NamingTheSetting()
    {
        var missing = Path.Combine(_folder.FullName, "nowhere");

        var error = Should.Throw<InvalidConfigurationException>(() => new TemplateCatalog(BuiltIns, new TemplateOptions { Directory = missing }, Configuration()));

        error.Message.ShouldBe($"Provisioning:Templates:Directory '{missing}' does not exist.");
    }

    private TemplateCatalog Load(params (string Key, string Value)[] settings) =>
        new(BuiltIns, new TemplateOptions { Directory = _folder.FullName }, Configuration(settings));

    private static IConfiguration Configuration(params (string Key, string Value)[] settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key, (string?)s.Value))).Build();

    private void Write(string file, string yaml) => File.WriteAllText(Path.Combine(_folder.FullName, file), yaml);
}
