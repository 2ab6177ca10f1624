using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Provisioning.Core.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class AttemptPhase : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "CompensatingStep",
                table: "provisioning_attempts",
                type: "TEXT",
                maxLength: 100,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "FailedStep",
                table: "provisioning_attempts",
                type: "TEXT",
                maxLength: 100,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Phase",
                table: "provisioning_attempts",
                type: "TEXT",
                maxLength: 20,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "TechnicalDetail",
                table: "provisioning_attempts",
                type: "TEXT",
                nullable: true);

            // The phase of every attempt so far, from how it ended.
            migrationBuilder.Sql(
                "UPDATE provisioning_attempts SET Phase = CASE " +
                "WHEN FinishedAt IS NULL THEN 'Running' WHEN Outcome = 'Succeeded' THEN 'Succeeded' ELSE 'Failed' END;");

            // An active attempt with a failed step was stopped after that step failed, before or during its cleanup
            // (the engine used to wedge there, issue 20): it goes on compensating from the failed step. Steps already
            // released are pending again and are passed over; compensating the rest again is safe, being idempotent.
            const string failedStep =
                "FROM provisioning_steps s WHERE s.WorkspaceId = provisioning_attempts.WorkspaceId AND s.Status = 'Failed' " +
                "ORDER BY s.\"Order\" LIMIT 1";
            migrationBuilder.Sql(
                "UPDATE provisioning_attempts SET Phase = 'Compensating', " +
                $"FailedStep = (SELECT s.Name {failedStep}), " +
                $"CompensatingStep = (SELECT s.Name {failedStep}), " +
                $"ErrorCode = (SELECT COALESCE(s.ErrorCode, 'unknown') {failedStep}), " +
                $"TechnicalDetail = (SELECT json_extract(s.ErrorDetails, '$.technical_detail') {failedStep}) " +
                $"WHERE FinishedAt IS NULL AND EXISTS (SELECT 1 {failedStep});");

            // SQLite drops an unindexed column in place; EF Core's DropColumn would rebuild the table outside the
            // migration's transaction.
            migrationBuilder.Sql("ALTER TABLE provisioning_attempts DROP COLUMN Outcome;");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "Outcome",
                table: "provisioning_attempts",
                type: "TEXT",
                maxLength: 10,
                nullable: true);

            migrationBuilder.Sql(
                "UPDATE provisioning_attempts SET Outcome = CASE Phase " +
                "WHEN 'Succeeded' THEN 'Succeeded' WHEN 'Failed' THEN 'Failed' ELSE NULL END;");

            migrationBuilder.Sql("ALTER TABLE provisioning_attempts DROP COLUMN CompensatingStep;");

            migrationBuilder.Sql("ALTER TABLE provisioning_attempts DROP COLUMN FailedStep;");

            migrationBuilder.Sql("ALTER TABLE provisioning_attempts DROP COLUMN Phase;");

            migrationBuilder.Sql("ALTER TABLE provisioning_attempts DROP COLUMN TechnicalDetail;");
        }
    }
}
