using System.Text.Json;
using Portal.Tests.Core.Notifications;
using Provisioning.Core.Errors;
using Provisioning.Core.Notifications;

namespace Portal.Tests.Portal.Notifications;

/// <summary>The Razor email templates, rendered with the framework's HtmlRenderer, in HTML and plain text.</summary>
public sealed class EmailTemplatesTests
{
    private static readonly Guid WorkspaceId = Guid.Parse("0195f0a4-1c2d-7e3f-8a9b-0c1d2e3f4a5b");
    private static readonly Guid CorrelationId = Guid.Parse("7d9e1f20-3a4b-4c5d-8e6f-708192a3b4c5");
    private static readonly DateTimeOffset FailedAt = new(2026, 11, 28, 9, 2, 30, TimeSpan.Zero);
    private static readonly CatalogueEntry Timeout = ErrorCatalogue.Get(ErrorCatalogue.ConnectionTimeout);

    [Fact]
    public async Task RequesterFailure_ShowsTheUserMessageSuggestedActionAndLink()
    {
        var model = new RequesterFailureModel(WorkspaceId, "team-wiki", Timeout.UserMessage, Timeout.SuggestedAction,
            $"https://portal.example.test/workspaces/{WorkspaceId}");

        var email = await RenderAsync(EmailTemplates.RequesterFailure, model);

        email.Html.ShouldContain("Your workspace team-wiki could not be provisioned");
        email.Html.ShouldContain(Timeout.UserMessage);
        email.Html.ShouldContain(Timeout.SuggestedAction);
        email.Html.ShouldContain($"href=\"https://portal.example.test/workspaces/{WorkspaceId}\"");
        email.Text.ShouldBe(
            $"""
            Your workspace team-wiki could not be provisioned

            {Timeout.UserMessage}

            What you can do

            {Timeout.SuggestedAction}

            Open team-wiki (https://portal.example.test/workspaces/{WorkspaceId})

            An automatic message from the Provisioning Portal.

            """);
    }

    [Fact]
    public async Task RequesterFailure_ShowsNoTechnicalDetailCodeOrCorrelationId()
    {
        // Even a model carrying more than it should (an older or hand-written row) renders only the requester's fields.
        var json = JsonSerializer.Serialize(new
        {
            workspace_id = WorkspaceId,
            workspace_name = "team-wiki",
            user_message = Timeout.UserMessage,
            suggested_action = Timeout.SuggestedAction,
            workspace_url = "https://portal.example.test/workspaces/x",
            error_code = "connection_timeout",
            technical_detail = "SocketException: 10.0.0.7:5432 timed out\n   at Npgsql.Connect()",
            correlation_id = CorrelationId,
        });

        var email = await NotificationTestData.Renderer().RenderAsync(EmailTemplates.RequesterFailure, json, TestContext.Current.CancellationToken);

        foreach (var part in new[] { email.Html, email.Text })
        {
            part.ShouldNotContain("connection_timeout");
            part.ShouldNotContain("SocketException");
            part.ShouldNotContain("   at ");
            part.ShouldNotContain(CorrelationId.ToString());
        }
    }

    [Fact]
    public async Task TenantAdminFailure_ShowsCodeTechnicalDetailCorrelationIdAndRetryHistory()
    {
        var email = await RenderAsync(EmailTemplates.TenantAdminFailure, AdminModel());

        email.Html.ShouldContain("Workspace team-wiki failed: connection_timeout");
        email.Html.ShouldContain("href=\"https://portal.example.test/admin\"");
        foreach (var part in new[] { email.Html, email.Text })
        {
            part.ShouldContain("connection_timeout");
            part.ShouldContain(CorrelationId.ToString());
            part.ShouldContain(WorkspaceId.ToString());
            part.ShouldContain("member@acme.test");
            part.ShouldContain("2026-11-28 09:02:30 UTC");
        }

        email.Text.ShouldContain("Error code: connection_timeout");
        email.Text.ShouldContain($"Correlation id: {CorrelationId}");
        email.Text.ShouldContain("Failed step: Clone VM");
        email.Text.ShouldContain("Attempt: 1");
        email.Text.ShouldContain("Retries of the step: 4");
        email.Text.ShouldContain("Open the admin area (https://portal.example.test/admin)");
        // The technical detail keeps its lines.
        email.Text.ShouldContain("TimeoutException: vcenter did not answer\n   at Clone()");
        email.Text.ShouldContain("- Validate request: succeeded, started 2026-11-28 09:00:00 UTC, ended 2026-11-28 09:00:00 UTC");
        email.Text.ShouldContain(
            "- Clone VM: failed after 4 retries, started 2026-11-28 09:00:00 UTC, ended 2026-11-28 09:02:30 UTC; compensation: released");
        email.Text.ShouldContain(
            "  - try 1 failed at 2026-11-28 09:00:00 UTC: connection_timeout (socket timeout 1); next try at 2026-11-28 09:00:10 UTC");
        email.Text.ShouldContain("  - try 5 failed at 2026-11-28 09:02:30 UTC: connection_timeout (socket timeout 5)\n");
    }

    [Fact]
    public async Task TenantAdminFailure_WhenThePortalGaveUp_SaysNoStepFailed_AndShowsTheException()
    {
        var model = AdminModel() with
        {
            ErrorCode = ErrorCatalogue.InternalError, FailedStep = "",
            TechnicalDetail = "InvalidOperationException: Workspace x would become inconsistent: more than one running step.",
        };

        var email = await RenderAsync(EmailTemplates.TenantAdminFailure, model);

        email.Text.ShouldContain("Failed step: none: the portal could not carry the run on");
        email.Text.ShouldContain("InvalidOperationException: Workspace x would become inconsistent");
    }

    [Fact]
    public async Task WorkspaceReady_ShowsTheAttemptAndLink()
    {
        var email = await RenderAsync(EmailTemplates.WorkspaceReady,
            new WorkspaceReadyModel(WorkspaceId, "team-wiki", 2, $"https://portal.example.test/workspaces/{WorkspaceId}"));

        email.Html.ShouldContain("Your workspace team-wiki is ready");
        email.Text.ShouldContain("run 2 provisioned team-wiki");
        email.Text.ShouldContain($"Open team-wiki (https://portal.example.test/workspaces/{WorkspaceId})");
    }

    [Fact]
    public async Task Templates_EncodeWhatTheyShow()
    {
        var model = AdminModel() with { TechnicalDetail = "<script>alert('x')</script> & more", WorkspaceName = "a<b>" };

        var email = await RenderAsync(EmailTemplates.TenantAdminFailure, model);

        email.Html.ShouldNotContain("<script>");
        email.Html.ShouldContain("&lt;script&gt;");
        email.Text.ShouldContain("<script>alert('x')</script> & more");
    }

    [Fact]
    public async Task Invitation_SaysWhoInvitedIntoWhat_WithTheLinkAndWhenItRunsOut()
    {
        var model = new InvitationModel(WorkspaceId, "Initech", "tenant admin", "ops@platform.test", FailedAt, "Contoso ID",
            "https://portal.example.test/account/accept-invitation?token=abc_DEF-123");

        var email = await RenderAsync(EmailTemplates.Invitation, model);

        email.Html.ShouldContain("href=\"https://portal.example.test/account/accept-invitation?token=abc_DEF-123\"");
        email.Text.ShouldContain("ops@platform.test invited you to the Provisioning Portal of Initech as a tenant admin.");
        email.Text.ShouldContain("or to sign in with Contoso ID using this address");
        email.Text.ShouldContain("The link works once, until 2026-11-28 09:02:30 UTC.");
    }

    [Fact]
    public async Task Invitation_WithoutItsLink_IsRefused()
    {
        // The outbox holds the model without the link; only the delivery, which makes the token, may render it.
        var model = new InvitationModel(WorkspaceId, "Initech", "member", "admin@initech.test", FailedAt, null);

        await Should.ThrowAsync<ArgumentException>(() => RenderAsync(EmailTemplates.Invitation, model));
    }

    [Fact]
    public async Task UnknownTemplate_IsRefused()
    {
        await Should.ThrowAsync<ArgumentException>(() =>
            NotificationTestData.Renderer().RenderAsync("nope", "{}", TestContext.Current.CancellationToken));
    }

    private static Task<RenderedEmail> RenderAsync<T>(string template, T model) =>
        NotificationTestData.Renderer().RenderAsync(template, JsonSerializer.Serialize(model, EmailTemplates.ModelJson), TestContext.Current.CancellationToken);

    private static TenantAdminFailureModel AdminModel()
    {
        var start = FailedAt - TimeSpan.FromSeconds(150);
        var tries = new[] { 0, 10, 30, 70, 150 }
            .Select((at, i) => new StepTry(i + 1, start.AddSeconds(at), ErrorCatalogue.ConnectionTimeout, $"socket timeout {i + 1}",
                i < 4 ? start.AddSeconds(new[] { 10, 30, 70, 150 }[i]) : null))
            .ToList();
        return new TenantAdminFailureModel(
            WorkspaceId, "team-wiki", "ubuntu-vm@24.04", "member@acme.test", ErrorCatalogue.ConnectionTimeout,
            Timeout.UserMessage, Timeout.SuggestedAction, "TimeoutException: vcenter did not answer\n   at Clone()", CorrelationId,
            "clone_vm", 1, 4, FailedAt,
            [
                new StepHistory("validate_request", "succeeded", start, start, 0, [], null),
                new StepHistory("clone_vm", "failed", start, FailedAt, 4, tries, "released"),
            ],
            "https://portal.example.test/admin", $"https://portal.example.test/workspaces/{WorkspaceId}");
    }
}
