using Microsoft.EntityFrameworkCore.Migrations;
using Provisioning.Core.Workspaces;

#nullable disable

namespace Provisioning.Core.Persistence.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class WorkspaceEventNotifications : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Every committed event is announced to every node (PostgresWorkspaceEventListener): NOTIFY from a trigger is
            // sent in the transaction that wrote the event, so it reaches the listeners when, and only if, it commits.
            migrationBuilder.Sql($$"""
                CREATE FUNCTION portal_notify_workspace_event() RETURNS trigger LANGUAGE plpgsql AS $fn$
                BEGIN
                    PERFORM pg_notify('{{PostgresWorkspaceEventListener.Channel}}', json_build_object(
                        'workspace_id', NEW."WorkspaceId", 'tenant_id', NEW."TenantId", 'sequence', NEW."Sequence",
                        'type', NEW."Type", 'occurred_at', NEW."OccurredAt")::text);
                    RETURN NULL;
                END
                $fn$;
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER workspace_events_notify AFTER INSERT ON workspace_events
                FOR EACH ROW EXECUTE FUNCTION portal_notify_workspace_event();
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS workspace_events_notify ON workspace_events;");
            migrationBuilder.Sql("DROP FUNCTION IF EXISTS portal_notify_workspace_event();");
        }
    }
}
