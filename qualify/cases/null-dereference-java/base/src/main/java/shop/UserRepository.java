package shop;

public interface UserRepository {
    /** The user with this id, or null when there is none. */
    User findById(long id);
}
