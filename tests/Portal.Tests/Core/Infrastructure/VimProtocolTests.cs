using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Xml.Linq;
using Portal.Tests.TestInfrastructure;
using Provisioning.Core.Errors;
using Provisioning.Core.Infrastructure.Vsphere;

namespace Portal.Tests.Core.Infrastructure;

/// <summary>
/// The one place that writes vim25 envelopes and reads answers and faults (issue 16, point 3), on responses recorded
/// from vcsim (Recorded/) and one written from the schema where vcsim cannot produce the fault; and the fault table.
/// </summary>
public sealed class VimProtocolTests
{
    [Fact]
    public void ARequest_IsTheMethodOnItsTarget_InTheVim25Namespace_ArgumentsInOrder()
    {
        var request = Vim.Request("FindByInventoryPath", new ManagedObject("SearchIndex", "SearchIndex"), [Vim.El("inventoryPath", "DC0/vm/DC0_H0_VM0")]);

        request.ToString(SaveOptions.DisableFormatting).ShouldBe(
            """<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">"""
            + """<soapenv:Body><FindByInventoryPath xmlns="urn:vim25"><_this type="SearchIndex">SearchIndex</_this><inventoryPath>DC0/vm/DC0_H0_VM0</inventoryPath></FindByInventoryPath></soapenv:Body></soapenv:Envelope>""");
    }

    [Fact]
    public void APolymorphicField_CarriesItsType_AndOptionalFieldsLeftNullAreLeftOut()
    {
        var backing = Vim.Typed("backing", "VirtualEthernetCardNetworkBackingInfo", Vim.El("deviceName", "VM Network"), null);

        Vim.TypeOf(backing).ShouldBe("VirtualEthernetCardNetworkBackingInfo");
        backing.Elements().ShouldHaveSingleItem().Name.ShouldBe(Vim.Ns + "deviceName");
    }

    [Fact]
    public void AnAnswer_IsItsReturnValues()
    {
        var found = Vim.ReturnValues("FindByInventoryPath", Recorded("find-by-inventory-path.xml"));

        ManagedObject.From(found.ShouldHaveSingleItem()).ShouldBe(new ManagedObject("VirtualMachine", "vm-57"));
    }

    [Theory]
    [InlineData("login-invalid.xml", "Login", "InvalidLogin", "Login failure")]
    [InlineData("managed-object-not-found.xml", "RetrievePropertiesEx", "ManagedObjectNotFound", "The object has already been deleted or has not been completely created")]
    // An expired session is not a fault to the property collector: the properties come back missing, for NotAuthenticated.
    [InlineData("not-authenticated.xml", "RetrievePropertiesEx", "NotAuthenticated", "The session could not read properties in RetrievePropertiesEx.")]
    public void AFault_IsReadAsItsTypeAndMessage(string file, string method, string fault, string message)
    {
        var thrown = Should.Throw<VimFaultException>(() => Vim.ReturnValues(method, Recorded(file)));

        thrown.Fault.ShouldBe(fault);
        thrown.FaultMessage.ShouldBe(message);
    }

    [Theory]
    [InlineData("task-error-update.xml", "InvalidPowerState", "*types.InvalidPowerState")]
    [InlineData("task-error-insufficient-memory.xml", "InsufficientMemoryResourcesFault", "The available Memory resources in the parent resource pool are insufficient for the operation.")]
    public void ATaskThatFailed_EndsWithItsFault(string file, string fault, string message)
    {
        var update = Vim.ReturnValues("WaitForUpdatesEx", Recorded(file)).ShouldHaveSingleItem();
        var info = Vim.TaskInfo(update).ShouldNotBeNull();

        var thrown = Should.Throw<VimFaultException>(() => Vim.TaskEnd(info));

        thrown.Fault.ShouldBe(fault);
        thrown.FaultMessage.ShouldBe(message);
    }

    [Fact]
    public void ATaskStillRunning_HasNotEnded_AndOneThatSucceeded_ReturnsItsResult()
    {
        Vim.TaskEnd(Vim.El("info", Vim.El("state", "running"))).ShouldBeNull();

        var ended = Vim.TaskEnd(Vim.El("info", Vim.El("state", "success"), Vim.Typed("result", "ManagedObjectReference", new XAttribute("type", "VirtualMachine"), "vm-90")));

        ManagedObject.From(ended.ShouldNotBeNull().Result.ShouldNotBeNull()).ShouldBe(new ManagedObject("VirtualMachine", "vm-90"));
    }

    // Seed 003's table, with each fault's class as the catalogue gives it.
    [Theory]
    [InlineData("InsufficientResourcesFault", ErrorCatalogue.InsufficientResources, false)]
    [InlineData("InsufficientMemoryResourcesFault", ErrorCatalogue.InsufficientResources, false)]
    [InlineData("InsufficientHostCapacityFault", ErrorCatalogue.InsufficientResources, false)]
    [InlineData("InvalidDatastorePath", ErrorCatalogue.DatastoreNotAvailable, false)]
    [InlineData("VmConfigFault", ErrorCatalogue.VmConfigInvalid, false)]
    [InlineData("InvalidDeviceSpec", ErrorCatalogue.VmConfigInvalid, false)]
    [InlineData("NotAuthenticated", ErrorCatalogue.ConnectionFailed, false)]
    [InlineData("InvalidLogin", ErrorCatalogue.ConnectionFailed, false)]
    [InlineData("NetworkConfigFailed", ErrorCatalogue.NetworkConfigFailed, true)]
    [InlineData("HostCommunication", ErrorCatalogue.ServiceUnavailable, true)]
    [InlineData("SomethingNobodyMapped", ErrorCatalogue.Unknown, false)]
    public void AvSphereFault_IsItsCatalogueCode_AndClass(string fault, string code, bool transient)
    {
        var error = VsphereFaults.Translate(new VimFaultException(fault, "what vSphere said"));

        error.Code.ShouldBe(code);
        error.IsTransient.ShouldBe(transient);
        error.Message.ShouldBe($"{fault}: what vSphere said");
    }

    [Fact]
    public void WhileConnectingTheNetwork_AFaultTheTableDoesNotName_IsANetworkConfigurationFailure()
    {
        VsphereFaults.Translate(new VimFaultException("InvalidDeviceSpec", "bad backing"), ErrorCatalogue.NetworkConfigFailed)
            .Code.ShouldBe(ErrorCatalogue.NetworkConfigFailed);
        VsphereFaults.Translate(new VimFaultException("InvalidLogin", "no"), ErrorCatalogue.NetworkConfigFailed)
            .Code.ShouldBe(ErrorCatalogue.ConnectionFailed);
    }

    [Fact]
    public void TransportFailures_AreTransientOrAuthentication_AsTheyDeserve()
    {
        VsphereFaults.Translate(new HttpRequestException("refused", new SocketException((int)SocketError.ConnectionRefused))).Code.ShouldBe(ErrorCatalogue.ConnectionTimeout);
        VsphereFaults.Translate(new TaskCanceledException("timed out", new TimeoutException())).Code.ShouldBe(ErrorCatalogue.ConnectionTimeout);
        VsphereFaults.Translate(new HttpRequestException("503", null, HttpStatusCode.ServiceUnavailable)).Code.ShouldBe(ErrorCatalogue.ServiceUnavailable);
        VsphereFaults.Translate(new HttpRequestException("ssl", new AuthenticationException("remote certificate is invalid"))).Code.ShouldBe(ErrorCatalogue.ConnectionFailed);
        VsphereFaults.Translate(new VimProtocolException("no body")).Code.ShouldBe(ErrorCatalogue.Unknown);
    }

    [Theory]
    [InlineData("2C:11:ED:D7:13:87:7D:B5:74:18:B8:1C:42:C2:56:1F:0D:B9:5B:B9")]
    [InlineData("2c11edd713877db57418b81c42c2561f0db95bb9")]
    public void AThumbprint_IsReadWithOrWithoutColons_InEitherCase(string written) =>
        VimClient.NormalizeThumbprint(written).ShouldBe("2C11EDD713877DB57418B81C42C2561F0DB95BB9");

    private static XDocument Recorded(string file) =>
        XDocument.Load(Path.Combine(TestPaths.RepositoryRoot, "tests", "Portal.Tests", "Core", "Infrastructure", "Recorded", file));
}
