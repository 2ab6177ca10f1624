using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Provisioning.Core.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class SimulatorCapacityInUse : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "UsedCpu",
                table: "sim_capacity",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<int>(
                name: "UsedMemoryGb",
                table: "sim_capacity",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            // Start the running total from what is active now.
            migrationBuilder.Sql(
                "UPDATE sim_capacity SET " +
                "UsedCpu = (SELECT COALESCE(SUM(Cpu), 0) FROM sim_resources WHERE DeletedAt IS NULL), " +
                "UsedMemoryGb = (SELECT COALESCE(SUM(MemoryGb), 0) FROM sim_resources WHERE DeletedAt IS NULL)");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "UsedCpu",
                table: "sim_capacity");

            migrationBuilder.DropColumn(
                name: "UsedMemoryGb",
                table: "sim_capacity");
        }
    }
}
