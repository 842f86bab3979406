package shop;

public class ShippingService {
    private final UserRepository repository;

    public ShippingService(UserRepository repository) {
        this.repository = repository;
    }
}
