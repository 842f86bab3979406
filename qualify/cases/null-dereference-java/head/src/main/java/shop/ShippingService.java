package shop;

public class ShippingService {
    private final UserRepository repository;

    public ShippingService(UserRepository repository) {
        this.repository = repository;
    }

    public String shippingCity(long userId) {
        User user = repository.findById(userId);
        return user.getAddress().getCity();
    }
}
